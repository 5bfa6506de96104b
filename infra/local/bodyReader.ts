/**
 * Reads a request body whole, as API Gateway buffers it, while keeping
 * it to its limits: the route's size, the in-flight budget for a body of
 * no declared length, and the pace of bodyPace.ts.
 */
import type { IncomingMessage } from 'node:http';
import { watchPace, type BodyPace } from './bodyPace.js';
import type { BudgetHold } from './inflightBudget.js';

export type BodyOutcome =
  | { kind: 'read'; bytes: Buffer }
  | { kind: 'too-large' }
  | { kind: 'over-budget'; wantedBytes: number }
  /** A window of the pace passed with too few bytes. */
  | { kind: 'too-slow' }
  /** The client went away before the end of its body. */
  | { kind: 'aborted' };

export interface BodyRules {
  /** The route's limit. */
  limit: number;
  /** The Content-Length, which the budget has taken already. */
  declared: number | undefined;
  /** Where a body of no declared length takes its bytes as they come. */
  chunked: BudgetHold | undefined;
  pace: BodyPace;
}

/**
 * A body of declared length is copied into one buffer of that length as
 * it arrives, so that each socket chunk (64 KiB at most) can go at once
 * and the body is held once, not as chunks and their join; the pages of
 * the buffer count in memory only once written. A body of no declared
 * length is kept as chunks and joined at the end, the chunks then let
 * go. Stops as soon as the body passes the limit, or would pass the
 * budget, or falls below the pace.
 */
export function readBody(
  request: IncomingMessage, rules: BodyRules,
): Promise<BodyOutcome> {
  // The client may have gone while the key was checked: its 'close' has
  // been and gone, and the pace alone would end the wait, a window on.
  if (request.destroyed) return Promise.resolve({ kind: 'aborted' });

  return new Promise((resolve) => {
    const whole = rules.declared === undefined ? undefined
      : Buffer.allocUnsafe(rules.declared);
    const chunks: Buffer[] = [];
    let length = 0;
    // Every way out passes here: the timer stops, and once the listener
    // is gone nothing holds the chunks.
    const settle = (outcome: BodyOutcome) => {
      watch.stop();
      request.off('data', onData);
      resolve(outcome);
    };
    const stop = (outcome: BodyOutcome) => {
      request.pause();
      settle(outcome);
    };
    const watch = watchPace(rules.pace, () => stop({ kind: 'too-slow' }));
    const onData = (chunk: Buffer) => {
      watch.count(chunk.length);
      if (length + chunk.length > rules.limit) {
        stop({ kind: 'too-large' });
        return;
      }
      if (rules.chunked !== undefined && !rules.chunked.take(chunk.length)) {
        stop({ kind: 'over-budget',
          wantedBytes: rules.chunked.totalWith(chunk.length) });
        return;
      }
      // Node's parser passes no more than the declared length.
      if (whole !== undefined) chunk.copy(whole, length);
      else chunks.push(chunk);
      length += chunk.length;
    };
    request.on('data', onData);
    request.once('end', () => settle({ kind: 'read',
      bytes: joined(whole, chunks, length) }));
    // After 'end' these change nothing: a promise settles once.
    request.once('close', () => settle({ kind: 'aborted' }));
    request.once('error', () => settle({ kind: 'aborted' }));
  });
}

function joined(
  whole: Buffer | undefined, chunks: Buffer[], length: number,
): Buffer {
  if (whole !== undefined) return whole.subarray(0, length);
  const bytes = chunks.length === 1 ? chunks[0]
    : Buffer.concat(chunks, length);
  chunks.length = 0;
  return bytes;
}
