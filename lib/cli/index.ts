export { run } from './run.js';
export type { CliIo } from './cliIo.js';
export { CliError } from './cliErrors.js';
