/**
 * `npm run bench`: the counting core against a JSON.parse baseline and the
 * newline-scan limit on the same bytes, the peak memory of a 1 GB stream,
 * and end-to-end uploads. `-- --json` prints one JSON object instead of the
 * table; its `ratio` is the counting core's MB/s over the baseline's on the
 * `epoch` case.
 *
 * Options: --runs N (default 5; the best run is kept), --mb N (size of each
 * case, default 32), --case NAME (one case only), --stream-gb N (default
 * 1), --s3-gb N (default 1), --no-e2e, --no-stream, --no-s3.
 */
import { cpus } from 'node:os';
import { buildCase, loadFarequote, SHAPES, type BenchCase } from './data.js';
import { END_TO_END } from './endToEnd.js';
import { MEASUREMENTS } from './measures.js';
import { ingestOnce, measureS3, S3_CHILD_FLAG, type S3Figures } from
  './s3Ingest.js';
import { measureStream, type StreamFigures } from './stream.js';

const MB = 1_000_000;

interface Row {
  case: string;
  measure: string;
  mbPerSec: number;
  recordsPerSec: number;
  ratio?: number;
  peakRssMb?: number;
  note?: string;
}

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
}

const flag = (name: string) => process.argv.includes(name);

/** Best (shortest) of `runs` interleaved runs of every measurement. */
function measureCases(cases: BenchCase[], runs: number): Row[] {
  const best = new Map<string, number>();
  for (let run = 0; run < runs; run += 1) {
    for (const c of cases) {
      for (const m of MEASUREMENTS) {
        const started = performance.now();
        const seen = m.run(c);
        const seconds = (performance.now() - started) / 1000;
        if (seen !== c.records) {
          throw new Error(`${m.name} on ${c.name}: ${seen} of ${c.records}`);
        }
        const key = `${c.name}/${m.name}`;
        best.set(key, Math.min(best.get(key) ?? Infinity, seconds));
      }
    }
  }
  return cases.flatMap((c) => {
    const baseline = best.get(`${c.name}/baseline`) as number;
    return MEASUREMENTS.map((m) => {
      const seconds = best.get(`${c.name}/${m.name}`) as number;
      return {
        case: c.name,
        measure: m.name,
        mbPerSec: c.bytes.length / MB / seconds,
        recordsPerSec: c.records / seconds,
        ratio: baseline / seconds,
      };
    });
  });
}

function figuresRow(
  name: string, measure: string, figures: StreamFigures, note: string,
): Row {
  return {
    case: `${name} ${(figures.bytes / 1e9).toFixed(2)} GB`,
    measure,
    mbPerSec: figures.bytes / MB / figures.seconds,
    recordsPerSec: figures.records / figures.seconds,
    peakRssMb: figures.peakRssBytes / MB,
    note,
  };
}

const rssBefore = (figures: StreamFigures) =>
  `RSS ${(figures.startRssBytes / MB).toFixed(0)} MB before the first byte`;

function streamRow(figures: StreamFigures): Row {
  return figuresRow('stream', 'counting core', figures,
    `${rssBefore(figures)} (Node and the counting core alone)`);
}

function s3Rows({ ingest, core }: S3Figures): Row[] {
  const ratio = (ingest.bytes / ingest.seconds)
    / (core.bytes / core.seconds);
  return [
    figuresRow('s3 object', 'counting core', core,
      "s3rver's stored copy read from disk in 8 MiB chunks"),
    figuresRow('s3 object', 's3 ingestion', ingest,
      `${ratio.toFixed(2)}x the core on the same bytes; `
      + `${rssBefore(ingest)} (local stack)`),
  ];
}

async function endToEndRows(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const e2e of END_TO_END) {
    const result = await e2e.run();
    if ('skipped' in result) {
      rows.push({ case: e2e.name, measure: 'end to end', mbPerSec: NaN,
        recordsPerSec: NaN, note: `skipped: ${result.skipped}` });
      continue;
    }
    rows.push({
      case: e2e.name,
      measure: 'end to end',
      mbPerSec: result.bytes / MB / result.seconds,
      recordsPerSec: result.records / result.seconds,
      note: `${(result.bytes / MB).toFixed(0)} MB in one request`,
    });
  }
  return rows;
}

function printTable(rows: Row[], cases: BenchCase[], runs: number): void {
  const cell = (n: number | undefined, digits: number) =>
    (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits));
  const lines = [['case', 'measure', 'MB/s', 'records/s', 'x baseline',
    'peak RSS MB', 'note']];
  for (const r of rows) {
    lines.push([r.case, r.measure, cell(r.mbPerSec, 1),
      cell(r.recordsPerSec, 0), cell(r.ratio, 2), cell(r.peakRssMb, 0),
      r.note ?? '']);
  }
  const widths = lines[0].map((_, i) =>
    Math.max(...lines.map((l) => l[i].length)));
  for (const l of lines) {
    console.log(l.map((text, i) => text.padEnd(widths[i])).join('  ')
      .trimEnd());
  }
  console.log(`\nbest of ${runs} runs; ${cpus().length} cores, `
    + `Node ${process.version}`);
  for (const c of cases) {
    console.log(`${c.name}: ${c.description}, ${c.records} records, `
      + `${(c.bytes.length / MB).toFixed(1)} MB`);
  }
}

async function main(): Promise<void> {
  if (flag(S3_CHILD_FLAG)) {
    const at = process.argv.indexOf(S3_CHILD_FLAG);
    const figures = await ingestOnce(process.argv[at + 1],
      Number(process.argv[at + 2]));
    console.log(JSON.stringify(figures));
    return;
  }

  const runs = option('--runs', 5);
  const rows = loadFarequote();
  const only = process.argv.indexOf('--case');
  const shapes = only < 0 ? SHAPES
    : SHAPES.filter((s) => s.name === process.argv[only + 1]);
  const cases = shapes.map((shape) =>
    buildCase(shape, rows, option('--mb', 32) * MB));
  const table = measureCases(cases, runs);
  if (!flag('--no-stream')) {
    table.push(streamRow(await measureStream(option('--stream-gb', 1) * 1e9)));
  }
  if (!flag('--no-e2e')) table.push(...await endToEndRows());
  if (!flag('--no-s3')) {
    table.push(...s3Rows(await measureS3(option('--s3-gb', 1) * 1e9)));
  }

  if (!flag('--json')) {
    printTable(table, cases, runs);
    return;
  }
  const core = table.find((r) => r.case === 'epoch'
    && r.measure === 'counting core');
  console.log(JSON.stringify({
    ratio: core?.ratio ?? null,
    runs,
    kept: 'best',
    cores: cpus().length,
    node: process.version,
    rows: table,
  }));
}

await main();
