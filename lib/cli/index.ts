export { run } from './run.js';
export type { CliIo, LocalKeyOptions } from './cliIo.js';
export { CliError } from './cliErrors.js';
