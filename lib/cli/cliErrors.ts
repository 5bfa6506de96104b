/**
 * A failure the user can act on: printed as one line on stderr, never
 * with a stack trace, and the run exits with `exitCode`.
 */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}
