/**
 * `npm run bench`: the counting core against a JSON.parse baseline and the
 * newline-scan limit on the same bytes, the peak memory of a 1 GB stream,
 * and end-to-end uploads. `-- --json` prints one JSON object instead of the
 * table; its `ratio` is the counting core's MB/s over the baseline's on the
 * `epoch` case.
 *
 * Options: --runs N (default 5; the best run is kept), --mb N (size of each
 * case, default 32), --case NAME (one case only), --stream-gb N (default
 * 1), --no-e2e, --no-stream.
 */
import { cpus } from 'node:os';
import { buildCase, loadFarequote, SHAPES, type BenchCase } from './data.js';
import { END_TO_END } from './endToEnd.js';
import { MEASUREMENTS } from './measures.js';
import {
  countStream, measureStream, STREAM_CHILD_FLAG, type StreamFigures,
} from './stream.js';

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

function streamRow(figures: StreamFigures): Row {
  return {
    case: `stream ${(figures.bytes / 1e9).toFixed(2)} GB`,
    measure: 'counting core',
    mbPerSec: figures.bytes / MB / figures.seconds,
    recordsPerSec: figures.records / figures.seconds,
    peakRssMb: figures.peakRssBytes / MB,
    note: `RSS ${(figures.startRssBytes / MB).toFixed(0)} MB before the `
      + 'first byte (Node and the loaded modules)',
  };
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
  if (flag(STREAM_CHILD_FLAG)) {
    const at = process.argv.indexOf(STREAM_CHILD_FLAG);
    console.log(JSON.stringify(countStream(Number(process.argv[at + 1]))));
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
