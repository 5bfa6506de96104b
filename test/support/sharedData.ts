import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The real data files shared with the project, never copied into it. */
export const sharedDataDir = fileURLToPath(
  new URL('../../../shared/data/', import.meta.url));

export function readSharedData(name: string): string {
  return readFileSync(`${sharedDataDir}${name}`, 'utf8');
}

export interface FarequoteRow {
  /** As in the file, e.g. `2015-12-07T00:00:00+0000`. */
  time: string;
  /** The same instant in epoch seconds. */
  epochSeconds: number;
  airline: string;
  responsetime: string;
  sourcetype: string;
}

/** The 86,275 rows of farequote.csv (CRLF, no header), in file order. */
export function farequoteRows(): FarequoteRow[] {
  return readSharedData('farequote.csv').split('\r\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [time, airline, responsetime, sourcetype] = line.split(',');
      const iso = time.replace(/([+-]\d\d)(\d\d)$/, '$1:$2');
      return {
        time, airline, responsetime, sourcetype,
        epochSeconds: Date.parse(iso) / 1000,
      };
    });
}

/** NDJSON, one object per row, with `time` in epoch seconds. */
export function farequoteEpochNdjson(rows = farequoteRows()): string {
  return rows.map((row) => JSON.stringify({
    time: row.epochSeconds,
    airline: row.airline,
    responsetime: row.responsetime,
    sourcetype: row.sourcetype,
  })).join('\n') + '\n';
}

/** Seconds between the first and the last repetition's start: 5 days. */
export const FAREQUOTE_REPEAT_SHIFT_S = 5 * 86_400;

/**
 * farequote.csv as epoch NDJSON `times` times over, each repetition
 * shifted 5 days later than the one before; the file spans 2015-12-07
 * 00:00:00 to 2015-12-11 23:59:56, so the times keep ascending.
 */
export function repeatedFarequoteNdjson(times: number): string {
  const rows = farequoteRows();
  const parts: string[] = [];
  for (let i = 0; i < times; i += 1) {
    const shift = i * FAREQUOTE_REPEAT_SHIFT_S;
    parts.push(farequoteEpochNdjson(rows.map((row) => ({
      ...row, epochSeconds: row.epochSeconds + shift,
    }))));
  }
  return parts.join('');
}
