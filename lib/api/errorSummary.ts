/**
 * An unexpected error as it may be logged. A whole error object can carry
 * what must never reach a log: SDK errors hold the request and the item
 * that failed a condition (a key's hash), and any error may hold a body.
 * So only the class, a code, the message and the stack frames are kept,
 * each cut short; a message or frame that quotes a body is cut with it.
 */
export interface ErrorSummary {
  type: string;
  message: string;
  code?: string;
  stack?: string;
}

const MAX_MESSAGE_CHARS = 300;
const MAX_STACK_FRAMES = 12;

export function errorSummary(error: unknown): ErrorSummary {
  if (!(error instanceof Error)) {
    return { type: typeof error, message: '(not an Error)' };
  }

  const code = (error as { code?: unknown }).code;
  const frames = (error.stack ?? '').split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .slice(0, MAX_STACK_FRAMES);
  return {
    type: error.name,
    message: error.message.slice(0, MAX_MESSAGE_CHARS),
    ...(typeof code === 'string' ? { code } : {}),
    ...(frames.length > 0 ? { stack: frames.join('\n') } : {}),
  };
}

/**
 * A reason as it may be logged: what it quotes of the data ('names',
 * [values], "text") is left out, since a record's fields or a CSV header
 * are the body. `Field configured for analysis 'v' is not in the CSV
 * header '[a, b]'` is logged as `... analysis '…' is not in the CSV
 * header '…'`.
 */
export function withoutQuotedData(reason: string): string {
  // A quote the text was cut inside runs to its end.
  return reason
    .replace(/'[^']*('|$)/g, "'…'")
    .replace(/\[[^\]]*(\]|$)/g, '[…]')
    .replace(/"[^"]*("|$)/g, '"…"')
    .slice(0, MAX_MESSAGE_CHARS);
}
