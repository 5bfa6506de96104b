/**
 * A bound on the request body bytes the local server holds at once, as
 * Elasticsearch bounds them with its circuit breakers. Without it every
 * request buffers its whole body before the handler checks the key: 30
 * unauthenticated posts of 95 MB in parallel took the process to 2.1 GB.
 */
import { MlError } from '../../lib/errors.js';

/** A request's share of the budget, given back once it has been served. */
export interface BudgetHold {
  /** Adds `bytes` to the share, or adds nothing and returns false. */
  take(bytes: number): boolean;
  /** What the share plus `bytes` would make the total. */
  totalWith(bytes: number): number;
  release(): void;
}

export interface InflightBudget {
  readonly limitBytes: number;
  /** Bytes held by all requests now. */
  heldBytes(): number;
  hold(): BudgetHold;
}

export function createInflightBudget(limitBytes: number): InflightBudget {
  let held = 0;
  return {
    limitBytes,
    heldBytes: () => held,
    hold() {
      let mine = 0;
      return {
        take(bytes) {
          if (held + bytes > limitBytes) return false;
          held += bytes;
          mine += bytes;
          return true;
        },
        totalWith: (bytes) => held + bytes,
        release() {
          held -= mine;
          mine = 0;
        },
      };
    },
  };
}

/** Seconds after which a refused client may try again. */
const RETRY_AFTER_SEC = 1;

/**
 * Elasticsearch's answer when a request would take its breakers past
 * their limit: 429 `circuit_breaking_exception` with the bytes wanted and
 * the limit, in its wording and byte-size format.
 */
export function dataTooLarge(wantedBytes: number, limitBytes: number): MlError {
  return new MlError(429, 'circuit_breaking_exception',
    '[parent] Data too large, data for [<http_request>] would be '
      + `[${wantedBytes}/${byteSize(wantedBytes)}], which is larger than the `
      + `limit of [${limitBytes}/${byteSize(limitBytes)}]`, {
      headers: { 'Retry-After': String(RETRY_AFTER_SEC) },
      metadata: {
        bytes_wanted: wantedBytes, bytes_limit: limitBytes,
        durability: 'TRANSIENT',
      },
    });
}

const UNITS: Array<[string, number]> = [
  ['pb', 1024 ** 5], ['tb', 1024 ** 4], ['gb', 1024 ** 3], ['mb', 1024 ** 2],
  ['kb', 1024],
];

/**
 * Elasticsearch's ByteSizeValue: the largest unit that fits, with one
 * decimal cut (not rounded) and dropped when it is 0, e.g. `118.1mb`.
 */
export function byteSize(bytes: number): string {
  for (const [unit, size] of UNITS) {
    if (bytes < size) continue;
    const tenths = Math.floor((bytes * 10) / size);
    const whole = Math.floor(tenths / 10);
    const decimal = tenths % 10 === 0 ? '' : `.${tenths % 10}`;
    return `${whole}${decimal}${unit}`;
  }
  return `${bytes}b`;
}
