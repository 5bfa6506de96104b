/**
 * The pace a request body must keep while the local server reads it. A
 * request holds its share of the in-flight budget from its headers to
 * its answer; without a pace a client that declares 100 MiB and sends a
 * byte every 10 s would hold that share until Node's request timeout
 * (300 s), and a few such clients would turn every other post into 429.
 */
import { MlError } from '../../lib/errors.js';

export interface BodyPace {
  /** How often the bytes that arrived are counted. */
  windowMs: number;
  /** The slowest average a window may keep; 0 asks for one byte. */
  minBytesPerSec: number;
}

export interface PaceWatch {
  /** Notes bytes that arrived. */
  count(bytes: number): void;
  /** Ends the watch; nothing is called after it. */
  stop(): void;
}

/** Fewest bytes that must arrive in each window. */
export function bytesPerWindow(pace: BodyPace): number {
  return Math.max(1, Math.ceil((pace.minBytesPerSec * pace.windowMs) / 1000));
}

/**
 * Calls `onStall` once, and stops, at the end of the first window in
 * which fewer than bytesPerWindow(pace) bytes arrived.
 */
export function watchPace(pace: BodyPace, onStall: () => void): PaceWatch {
  const wanted = bytesPerWindow(pace);
  let arrived = 0;
  const timer = setInterval(() => {
    if (arrived >= wanted) {
      arrived = 0;
      return;
    }
    clearInterval(timer);
    onStall();
  }, pace.windowMs);
  // Only a body being read keeps it; it must not keep the process up.
  timer.unref();
  return {
    count(bytes) {
      arrived += bytes;
    },
    stop: () => clearInterval(timer),
  };
}

/** The 408 of a body that fell below the pace. */
export function bodyTooSlow(pace: BodyPace): MlError {
  return new MlError(408, 'status_exception',
    `The request body arrived too slowly: fewer than ${bytesPerWindow(pace)} `
      + `bytes in ${pace.windowMs} ms. Send it without pausing, at `
      + `${pace.minBytesPerSec} bytes per second or more (`
      + 'ML_MIN_BODY_BYTES_PER_SEC, ML_BODY_WINDOW_MS)');
}
