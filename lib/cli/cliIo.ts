import type { CreatedKey, NewKeyOptions } from './keysCommand.js';

export interface LocalKeyOptions extends NewKeyOptions {
  /** The local service's data folder (`ML_DATA_DIR`). */
  dataDir: string;
  tableName: string;
}

/**
 * Everything the CLI touches outside itself, so tests can run it
 * in-process.
 */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The terminal for the progress bar; absent when stderr is not one. */
  progressStream?: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  /**
   * The process environment; a command may set a variable in it for a
   * library that reads `process.env` (see quietAwsSdk in run.ts).
   */
  env: Record<string, string | undefined>;
  /** Runs the local service (the `serve` command). */
  serve?: () => Promise<void>;
  /** Writes a key into the stopped local service's store (`--local`). */
  createLocalKey?: (options: LocalKeyOptions) => Promise<CreatedKey>;
}
