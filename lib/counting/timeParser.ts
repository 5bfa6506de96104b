// Contract stub: implemented by the counting-rules work.

/** A parser from captured time text to epoch ms; null when invalid. */
export type TimeParser = (text: string) => number | null;

export function createTimeParser(timeFormat: string): TimeParser {
  throw new Error(`not implemented ${timeFormat}`);
}

/**
 * Whether a `time_format` can give a full timestamp (spec §4.4): `epoch`,
 * `epoch_ms`, or a pattern that round-trips 1970-01-01T00:00:00Z to an
 * instant or to a date with at least an hour.
 */
export function isValidTimeFormat(timeFormat: string): boolean {
  throw new Error(`not implemented ${timeFormat}`);
}
