import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createDelimitedRecordReader,
} from '../../../lib/counting/delimitedReader.js';
import {
  spanText, type RecordSpans, type SpanSink,
} from '../../../lib/counting/recordSpans.js';
import type {
  ReaderCheckpoint, ReaderLimits, RecordSink,
} from '../../../lib/counting/types.js';
import {
  type MakeReader, bytesOf, collectingSink, failureOf, readAll, roomyLimits,
} from './support.js';

const FIELDS = ['time', 'value'];

const csv = (limits: ReaderLimits = roomyLimits): MakeReader => (sink) =>
  createDelimitedRecordReader(FIELDS, sink, {
    limits, fieldDelimiter: ',', quoteCharacter: '"',
  });

/** A sink that takes byte ranges, noting which way each record came. */
function spanCollector() {
  const records: { via: string; leafCount: number; values: unknown[] }[] = [];
  const sink: RecordSink & SpanSink = {
    record(leafCount, values) {
      records.push({ via: 'text', leafCount, values: [...values] });
    },
    recordSpans(leafCount: number, spans: RecordSpans) {
      const values = FIELDS.map((_, i) => spanText(spans, i));
      records.push({ via: 'bytes', leafCount, values });
    },
  };
  return { sink, records };
}

function readWith(sink: RecordSink, body: Uint8Array, chunk: number) {
  const reader = csv()(sink);
  for (let at = 0; at < body.length; at += chunk) {
    reader.write(body.subarray(at, at + chunk));
  }
  reader.end();
}

/** A column: plain, empty, quoted with a delimiter or a quote, or not ASCII. */
const column = fc.oneof(
  fc.stringMatching(/^[a-z0-9:. -]{0,8}$/),
  fc.constantFrom('', '"a,b"', '"say ""hi"""', 'Zürich', '"x\ny"', '€1'),
);

const body = fc.tuple(fc.nat({ max: 3 }), fc.array(
  fc.array(column, { minLength: 1, maxLength: 5 }), { maxLength: 12 }))
  .map(([timeAt, rows]) => {
    const header = ['other', 'more', 'extra'];
    header.splice(timeAt, 0, 'time');
    header.push('value');
    return [header, ...rows].map((row) => row.join(',')).join('\r\n');
  });

describe('the columns the delimited reader hands on', () => {
  it('gives a span sink the same values as a text sink, as bytes when ASCII',
    () => {
      fc.assert(fc.property(body, fc.integer({ min: 1, max: 40 }),
        (text, chunk) => {
          const bytes = bytesOf(text);
          const spans = spanCollector();
          readWith(spans.sink, bytes, chunk);
          const plain = collectingSink();
          readWith(plain.sink, bytes, chunk);

          expect(spans.records.map(({ via, ...r }) => r)).toEqual(plain.records);
          for (const { via, values } of spans.records) {
            const ascii = values.every((v) => v === undefined
              || /^[\x00-\x7f]*$/.test(String(v)));
            expect(via).toBe(ascii ? 'bytes' : 'text');
          }
        }), { numRuns: 200 });
    });
});

describe('the header of the delimited reader', () => {
  it('keeps a byte order mark as part of the first name', () => {
    // As the original's reader does: the mark is a character of the name.
    const error = failureOf(csv(), '\ufefftime,value\n1,2\n');
    expect(error?.message).toBe("Field configured for analysis 'time' is "
      + "not in the CSV header '[\ufefftime, value]'");
  });

  // 20,000 columns of 24-byte names: a header of about 500 KB, more than
  // a DynamoDB item may hold (400 KB).
  const names = Array.from({ length: 20_000 },
    (_, i) => `column_${String(i).padStart(17, '0')}`);
  const wide = [...names.slice(0, 10), 'time', ...names.slice(10), 'value'];
  const header = `${wide.join(',')}\n`;
  const row = (t: number) =>
    `${','.repeat(10)}${t}${','.repeat(19_990)},${t}\n`;

  it('keeps checkpoints small whatever the size of the header', () => {
    const body = bytesOf(header + row(1) + row(2) + row(3));
    const limits = { ...roomyLimits, maxFieldsPerRecord: 30_000 };
    const { sink, records } = collectingSink();
    const first = csv(limits)(sink);
    const cut = header.length + row(1).length;
    first.write(body.subarray(0, cut + 5));
    const checkpoint = JSON.parse(JSON.stringify(first.checkpoint())) as
      ReaderCheckpoint;
    // The header's width, the two fields' columns and the line count.
    expect(JSON.stringify(checkpoint.state).length).toBeLessThan(100);
    expect(checkpoint.offset).toBe(cut);

    const resumed = createDelimitedRecordReader(FIELDS, sink, {
      limits, fieldDelimiter: ',', quoteCharacter: '"', resume: checkpoint,
    });
    resumed.write(body.subarray(checkpoint.offset));
    resumed.end();
    // Rows 1 (before the cut), then 2 and 3 after resuming; each as wide
    // as the header: 20,002 columns.
    expect(records.map((r) => [r.leafCount, r.values])).toEqual([
      [20_002, ['1', '1']], [20_002, ['2', '2']], [20_002, ['3', '3']]]);
  });

  it('resumes from a checkpoint that holds the whole header', () => {
    // Written before checkpoints held only the columns: line 1 is the
    // header, the next row starts at byte 11.
    const checkpoint = {
      offset: 11, state: { header: ['time', 'value'], linesRead: 1 },
    };
    const { sink, records } = collectingSink();
    const reader = createDelimitedRecordReader(FIELDS, sink, {
      limits: roomyLimits, fieldDelimiter: ',', quoteCharacter: '"',
      resume: checkpoint,
    });
    reader.write(bytesOf('5,6\n7,8\n'));
    reader.end();
    expect(records).toEqual([{ leafCount: 2, values: ['5', '6'] },
      { leafCount: 2, values: ['7', '8'] }]);
  });

  it('refuses a header larger than the record limit', () => {
    const limits = { ...roomyLimits, maxRecordBytes: 100_000 };
    for (const size of [undefined, 4096]) {
      const error = failureOf(csv(limits), header + row(1), size);
      expect(error?.status).toBe(400);
      expect(error?.message).toBe('The CSV header is larger than the limit '
        + 'of 100000 bytes (ML_MAX_RECORD_BYTES).');
    }
  });

  it('refuses a header with more columns than a record may have', () => {
    const error = failureOf(csv(), header + row(1));
    expect(error?.status).toBe(400);
    expect(error?.message).toBe('The CSV header has more than the limit of '
      + '10000 columns (ML_MAX_FIELDS).');
  });

  it('reads a header as wide as the limit', () => {
    const limits = { ...roomyLimits, maxFieldsPerRecord: 3 };
    expect(readAll(csv(limits), 'time,value,x\n1,2,3\n')).toEqual([
      { leafCount: 3, values: ['1', '2'] }]);
  });
});
