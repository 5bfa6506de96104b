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

/**
 * A reason as part of a longer line, joined with `;`: without a final
 * period, so `malformed.;` never shows.
 */
export function clause(text: string): string {
  return text.trim().replace(/[.;\s]+$/, '');
}
