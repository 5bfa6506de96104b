import type { CreatedKey, NewKeyOptions } from './keysCommand.js';

export interface LocalKeyOptions extends NewKeyOptions {
  /** The local service's data folder (`ML_DATA_DIR`). */
  dataDir: string;
  tableName: string;
  /** Also write the key to the data folder's `api-key` file. */
  save?: boolean;
}

/** A key made with `--local`, and the file it was saved in, if any. */
export type LocalKey = CreatedKey & { savedTo?: string };

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
  createLocalKey?: (options: LocalKeyOptions) => Promise<LocalKey>;
}
