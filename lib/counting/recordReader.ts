// Contract stub: a naive reader for well-formed NDJSON only, so that the
// counting rules can be tested before the real streaming reader lands. The
// real one replaces this file and keeps the exported signature.
import { malformedJson } from './errors.js';
import type {
  ReaderCheckpoint, ReaderLimits, RecordReader, RecordSink,
} from './types.js';

export interface JsonReaderOptions {
  limits: ReaderLimits;
  /** Continue from a checkpoint taken by an earlier reader. */
  resume?: ReaderCheckpoint;
}

export function createJsonRecordReader(
  fieldPaths: readonly string[],
  sink: RecordSink,
  options: JsonReaderOptions,
): RecordReader {
  const index = new Map(fieldPaths.map((path, i) => [path, i]));
  const values: (string | undefined)[] = new Array(fieldPaths.length);
  const decoder = new TextDecoder();
  let pending = '';
  let committed = options.resume?.offset ?? 0;

  const emit = (line: string) => {
    committed += Buffer.byteLength(line) + 1;
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw malformedJson();
    }
    values.fill(undefined);
    const leaves = flatten(parsed as Record<string, unknown>, '', index, values);
    sink.record(leaves, values);
  };

  return {
    write(chunk) {
      pending += decoder.decode(chunk, { stream: true });
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        emit(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
    },
    end() {
      pending += decoder.decode();
      if (pending !== '') emit(pending);
      committed -= 1;
      pending = '';
    },
    get committedOffset() {
      return committed;
    },
    checkpoint() {
      return { offset: committed, state: null };
    },
  };
}

function flatten(
  object: Record<string, unknown>,
  prefix: string,
  index: Map<string, number>,
  values: (string | undefined)[],
): number {
  let leaves = 0;
  for (const [key, value] of Object.entries(object)) {
    const path = prefix + key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      leaves += flatten(value as Record<string, unknown>, `${path}.`, index,
        values);
      continue;
    }
    leaves += 1;
    const at = index.get(path);
    if (at === undefined) continue;
    values[at] = Array.isArray(value) ? value.join(',')
      : value === null ? '' : String(value);
  }
  return leaves;
}
