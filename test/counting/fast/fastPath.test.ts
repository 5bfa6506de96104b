import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { emptyDataCounts } from '../../../lib/counting/dataCounts.js';
import { createJsonRecordReader } from '../../../lib/counting/recordReader.js';
import { createTimeParser } from '../../../lib/counting/timeParser.js';
import type {
  CountingConfig, ReaderLimits, RecordSink,
} from '../../../lib/counting/types.js';
import { UploadCounter } from '../../../lib/counting/uploadCounter.js';
import { fqConfig, NOW, openedState } from '../uploads.js';
import { body, SHAPED_WANTED, shapedBody, WANTED } from './records.js';

const roomy: ReaderLimits = {
  maxRecordBytes: 1 << 20, maxDepth: 1000, maxFieldsPerRecord: 10_000,
};
// Small enough that generated bodies reach each limit now and then.
const tight: ReaderLimits = {
  maxRecordBytes: 60, maxDepth: 3, maxFieldsPerRecord: 4,
};

const bytesOf = (text: string) => new TextEncoder().encode(text);

function failure(error: unknown) {
  if (error instanceof Error) return { failed: error.message };
  throw error;
}

/** Every sink call and every checkpoint of one read. */
function trace(
  fastPath: boolean, text: string, chunkBytes: number, limits: ReaderLimits,
  fields: readonly string[] = WANTED,
) {
  const calls: unknown[] = [];
  const sink: RecordSink = {
    record(leafCount, values) {
      calls.push([leafCount, [...values]]);
    },
  };
  const reader = createJsonRecordReader(fields, sink, { limits, fastPath });
  const bytes = bytesOf(text);
  try {
    for (let at = 0; at < bytes.length; at += chunkBytes) {
      reader.write(bytes.subarray(at, at + chunkBytes));
      calls.push(JSON.stringify(reader.checkpoint()));
    }
    reader.end();
    calls.push(JSON.stringify(reader.checkpoint()));
  } catch (error) {
    calls.push(failure(error));
  }
  return calls;
}

/** An upload's counts through the fast path's byte sink or the exact one. */
function counts(
  fastPath: boolean, config: CountingConfig, text: string,
  chunkBytes: number,
) {
  const state = openedState(config);
  const incremental = emptyDataCounts();
  const counter = new UploadCounter(config, state, incremental,
    createTimeParser(config.timeFormat, { nowMs: NOW }), config.inputFields,
    0);
  const reader = createJsonRecordReader(config.inputFields, counter,
    { limits: roomy, fastPath });
  const bytes = bytesOf(text);
  try {
    for (let at = 0; at < bytes.length; at += chunkBytes) {
      reader.write(bytes.subarray(at, at + chunkBytes));
    }
    reader.end();
  } catch (error) {
    return failure(error);
  }
  return { incremental, state };
}

const chunkBytes = fc.constantFrom(1, 2, 3, 7, 64, 4096);

describe('the fast record path', () => {
  test('gives the exact path\'s records and checkpoints for any body', () => {
    fc.assert(fc.property(body, chunkBytes, (text, chunk) => {
      expect(trace(true, text, chunk, roomy))
        .toEqual(trace(false, text, chunk, roomy));
    }), { numRuns: 1500 });
  });

  test('fails where the exact path fails when limits are reached', () => {
    fc.assert(fc.property(body, chunkBytes, (text, chunk) => {
      expect(trace(true, text, chunk, tight))
        .toEqual(trace(false, text, chunk, tight));
    }), { numRuns: 800 });
  });

  const formats = ['epoch', 'epoch_ms', "yyyy-MM-dd'T'HH:mm:ssZ"];
  test.each(formats)('gives the exact path\'s counts with time format %s',
    (timeFormat) => {
      const config = fqConfig({ inputFields: WANTED, timeFormat });
      fc.assert(fc.property(body, chunkBytes, (text, chunk) => {
        expect(counts(true, config, text, chunk))
          .toEqual(counts(false, config, text, chunk));
      }), { numRuns: 500 });
    });

  test('reads a repeated name as the exact path does: a syntax error', () => {
    // Recovery ends the record at the error with the 1 leaf read before
    // it (spec §1.5, §1.6); the next record is read normally.
    const text = '{"time":1,"time":2}\n{"time":3,"x":4}';
    expect(trace(true, text, 4096, roomy)).toEqual([
      [1, ['1', undefined, undefined, undefined]],
      [2, ['3', undefined, undefined, '4']],
      expect.any(String), expect.any(String),
    ]);
  });

  test('takes a dotted name and the nested form as the same path', () => {
    // Both address `a.b` (spec §1.5); the later value wins, both count.
    const text = '{"a":{"b":"1"},"a.b":"2"}';
    expect(trace(true, text, 4096, roomy)[0])
      .toEqual([2, [undefined, undefined, '2', undefined]]);
  });
});

describe('the fast path reading by the last record\'s shape', () => {
  test('gives the exact path\'s records and checkpoints', () => {
    fc.assert(fc.property(shapedBody, chunkBytes, (text, chunk) => {
      expect(trace(true, text, chunk, roomy, SHAPED_WANTED))
        .toEqual(trace(false, text, chunk, roomy, SHAPED_WANTED));
    }), { numRuns: 1500 });
  });

  test('fails where the exact path fails when limits are reached', () => {
    fc.assert(fc.property(shapedBody, chunkBytes, (text, chunk) => {
      expect(trace(true, text, chunk, tight, SHAPED_WANTED))
        .toEqual(trace(false, text, chunk, tight, SHAPED_WANTED));
    }), { numRuns: 800 });
  });

  test('gives the exact path\'s counts with epoch times', () => {
    const config = fqConfig({
      inputFields: SHAPED_WANTED, timeFormat: 'epoch',
    });
    fc.assert(fc.property(shapedBody, chunkBytes, (text, chunk) => {
      expect(counts(true, config, text, chunk))
        .toEqual(counts(false, config, text, chunk));
    }), { numRuns: 500 });
  });

  test('counts a name added after the shape\'s names, and an object', () => {
    // Leaves: 2, 2, then 3 with `value`, then `time` and `x.b` (spec
    // §1.5); `x` holding an object is not a value of `x`.
    const text = '{"time":1,"x":2}\n{"time":3,"x":4}\n'
      + '{"time":5,"x":6,"value":7}\n{"time":8,"x":{"b":9}}\n';
    expect(trace(true, text, 4096, roomy).slice(0, 4)).toEqual([
      [2, ['1', undefined, undefined, '2']],
      [2, ['3', undefined, undefined, '4']],
      [3, ['5', '7', undefined, '6']],
      [2, ['8', undefined, undefined, undefined]],
    ]);
  });

  test('leaves a record that repeats a name of the shape to the exact path',
    () => {
      // As a record alone, the repeat is a syntax error that ends the
      // record with the 2 leaves read before it.
      const text = '{"time":1,"x":2}\n{"time":3,"x":4,"time":5}\n';
      expect(trace(true, text, 4096, roomy).slice(0, 2)).toEqual([
        [2, ['1', undefined, undefined, '2']],
        [2, ['3', undefined, undefined, '4']],
      ]);
    });
});
