/**
 * Benchmark inputs made from the real farequote data: the rows of
 * `farequote.csv` written as JSON records in several shapes, repeated
 * with later times until a wanted size is reached (each pass is shifted
 * by five days, so times keep ascending and every record is processed).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CountingConfig } from '../../lib/counting/types.js';

export interface FareRow {
  timeSec: number;
  airline: string;
  /** As written in the file, e.g. `132.2046`. */
  responsetime: string;
}

/** How records are told apart by the baseline's first attempt. */
export type Framing = 'lines' | 'pretty';

export interface BenchCase {
  name: string;
  /** What the case shows, for the table's notes. */
  description: string;
  config: CountingConfig;
  bytes: Buffer;
  records: number;
  framing: Framing;
}

/** The rows span 2015-12-07 to 2015-12-11: five days. */
const PASS_SHIFT_SEC = 5 * 86_400;

export function dataDir(): string {
  return process.env.ML_BENCH_DATA ?? join('..', 'shared', 'data');
}

/**
 * `2015-12-07T00:00:00+0000,AAL,132.2046,farequote` per CRLF line; the
 * first `maxRows` rows only when given, so that a small block costs little
 * memory to make.
 */
export function loadFarequote(dir = dataDir(), maxRows = Infinity):
  FareRow[] {
  const text = readFileSync(join(dir, 'farequote.csv'), 'latin1');
  const rows: FareRow[] = [];
  let at = 0;
  while (at < text.length && rows.length < maxRows) {
    let end = text.indexOf('\r\n', at);
    if (end < 0) end = text.length;
    const line = text.slice(at, end);
    at = end + 2;
    if (line === '') continue;
    const [time, airline, responsetime] = line.split(',');
    // Every time in the file is at +0000.
    const timeSec = Date.parse(`${time.slice(0, 19)}Z`) / 1000;
    rows.push({ timeSec, airline, responsetime });
  }
  return rows;
}

function config(overrides: Partial<CountingConfig>): CountingConfig {
  return {
    bucketSpanMs: 3_600_000,
    latencyMs: 0,
    timeField: 'time',
    timeFormat: 'epoch',
    inputFields: ['airline', 'responsetime', 'time'],
    format: 'xcontent',
    fieldDelimiter: '\t',
    quoteCharacter: '"',
    ...overrides,
  };
}

const patternTime = (sec: number) =>
  `${new Date(sec * 1000).toISOString().slice(0, 19)}+0000`;

const ROUTES = ['JFK', 'SFO', 'ORD', 'LHR', 'AMS'];

interface Shape {
  name: string;
  description: string;
  config: CountingConfig;
  framing: Framing;
  render: (row: FareRow, timeSec: number) => string;
}

export const SHAPES: Shape[] = [
  {
    name: 'epoch',
    description: 'farequote NDJSON, 4 fields, epoch seconds',
    config: config({}),
    framing: 'lines',
    render: (r, t) => `{"time":${t},"airline":"${r.airline}",`
      + `"responsetime":${r.responsetime},"sourcetype":"farequote"}`,
  },
  {
    name: 'pattern',
    description: "as epoch, time as yyyy-MM-dd'T'HH:mm:ssZ text",
    config: config({ timeFormat: "yyyy-MM-dd'T'HH:mm:ssZ" }),
    framing: 'lines',
    render: (r, t) => `{"time":"${patternTime(t)}","airline":"${r.airline}",`
      + `"responsetime":${r.responsetime},"sourcetype":"farequote"}`,
  },
  {
    name: 'pretty',
    description: 'as epoch, pretty-printed over 6 lines',
    config: config({}),
    framing: 'pretty',
    render: (r, t) => `{\n  "time": ${t},\n  "airline": "${r.airline}",\n`
      + `  "responsetime": ${r.responsetime},\n`
      + '  "sourcetype": "farequote"\n}',
  },
  {
    name: 'nested',
    description: 'NDJSON, 7 leaves in 3 levels, wanted fields nested',
    config: config({
      inputFields: ['flight.airline', 'metrics.responsetime', 'time'],
    }),
    framing: 'lines',
    render: (r, t) => `{"time":${t},"flight":{"airline":"${r.airline}",`
      + `"route":{"from":"${ROUTES[t % 5]}","to":"${ROUTES[(t + 2) % 5]}"}},`
      + `"metrics":{"responsetime":${r.responsetime},"unit":"ms"},`
      + '"sourcetype":"farequote"}',
  },
  {
    // Each new second of the file lands 20,001 one-second buckets after
    // the last, beyond two windows of 10,000 (latency 10,000 s): the
    // diagnostics' dearest step, once a record before they were batched.
    name: 'gaps',
    description: 'as epoch, seconds 20,001 apart, span 1 s, latency 10,000 s',
    config: config({ bucketSpanMs: 1000, latencyMs: 10_000_000 }),
    framing: 'lines',
    render: (r, t) => `{"time":${GAPS_BASE_SEC + (t - GAPS_BASE_SEC) * 20_001},`
      + `"airline":"${r.airline}","responsetime":${r.responsetime},`
      + '"sourcetype":"farequote"}',
  },
];

/** Just before the file's first row, so that the spread times stay small. */
const GAPS_BASE_SEC = 1_449_446_400;

/** One case of about `targetBytes`, whole passes over the rows. */
export function buildCase(
  shape: Shape, rows: readonly FareRow[], targetBytes: number,
): BenchCase {
  const parts: string[] = [];
  let size = 0;
  let records = 0;
  for (let pass = 0; size < targetBytes; pass += 1) {
    for (const row of rows) {
      const text = `${shape.render(row, row.timeSec + pass * PASS_SHIFT_SEC)}\n`;
      parts.push(text);
      size += text.length;
      records += 1;
      if (size >= targetBytes) break;
    }
  }
  return {
    name: shape.name,
    description: shape.description,
    config: shape.config,
    bytes: Buffer.from(parts.join(''), 'latin1'),
    records,
    framing: shape.framing,
  };
}
