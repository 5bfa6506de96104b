import { availableParallelism } from 'node:os';
import { describe, expect, test } from 'vitest';
import { CountingError, startUpload } from '../../lib/counting/index.js';
import type { CountingUpload } from '../../lib/jobs/countingThread.js';
import {
  inlineUpload, startCountingThread,
} from '../../lib/jobs/countingThread.js';
import { repeatedFarequoteNdjson } from '../support/sharedData.js';
import type { UploadOptions } from '../../lib/counting/types.js';
import { fqConfig, LIMITS, NOW, openedState } from '../counting/uploads.js';

const fq = fqConfig();
const options = { now: () => NOW, limits: LIMITS };
const encode = (text: string) => new TextEncoder().encode(text);

// farequote.csv twice over, the copy 5 days later: 14.9 MB, over three
// times the 4 MiB the thread may hold at once, so writes wait for room.
const twice = encode(repeatedFarequoteNdjson(2));

/** An upload on a thread; these tests hold one thread at a time. */
function onThread(
  state = openedState(fq), upload: UploadOptions = options,
): CountingUpload {
  const started = startCountingThread(fq, state, upload);
  if (started === undefined) throw new Error('no counting thread is free');
  return started;
}

const both = (): Array<[string, () => CountingUpload]> => [
  ['on a thread', () => onThread()],
  ['inline', () => inlineUpload(startUpload(fq, openedState(fq), options))],
];

/** Writes `bytes` in pieces of `pieceBytes`, as an HTTP body arrives. */
async function writeAll(
  upload: CountingUpload, bytes: Uint8Array, pieceBytes: number,
): Promise<void> {
  for (let at = 0; at < bytes.length; at += pieceBytes) {
    await upload.write(bytes.subarray(at, at + pieceBytes));
  }
}

describe('an upload on a counting thread', () => {
  test('counts what the same upload counts inline', async () => {
    const results = [];
    for (const [, start] of both()) {
      const upload = start();
      // An odd piece size, so pieces and blocks never line up.
      await writeAll(upload, twice.subarray(0, 7_000_001), 65_537);
      const point = await upload.checkpoint();
      await writeAll(upload, twice.subarray(7_000_001), 65_537);
      results.push({ point, end: await upload.end() });
      await upload.close();
    }

    const [threaded, inline] = results;
    expect(threaded).toEqual(inline);
    // 86,275 rows of farequote.csv, twice; all in time order.
    expect(threaded.end.counts).toMatchObject({
      processedRecordCount: 172_550, inputBytes: twice.length,
      outOfOrderTimestampCount: 0,
    });
  });

  test('checkpoints the bytes written before it, though more follow at once',
    async () => {
      const points = [];
      for (const [, start] of both()) {
        const upload = start();
        await writeAll(upload, twice.subarray(0, 3_000_000), 100_000);
        const asked = upload.checkpoint();
        await writeAll(upload, twice.subarray(3_000_000, 9_000_000), 100_000);
        points.push(await asked);
        await upload.close();
      }

      expect(points[0]).toEqual(points[1]);
      // The resume point is the end of the last whole record in 3 MB.
      const cut = twice.subarray(0, 3_000_000).lastIndexOf(0x0a) + 1;
      expect(points[0].resume.offset).toBe(cut);
    });

  test('goes on from a checkpoint in another thread', async () => {
    const first = onThread();
    await writeAll(first, twice.subarray(0, 5_000_000), 65_536);
    const point = await first.checkpoint();
    await first.close();

    const second = onThread(point.state,
      { ...options, resume: point.resume });
    await writeAll(second, twice.subarray(point.resume.offset), 65_536);
    const resumed = await second.end();
    await second.close();

    const whole = inlineUpload(startUpload(fq, openedState(fq), options));
    await writeAll(whole, twice, 65_536);
    expect(resumed).toEqual(await whole.end());
  });

  test('fails with the core\'s own error, and every later step with it',
    async () => {
      const upload = onThread();
      // One record over the 1 MiB limit of the test's reader limits.
      const huge = encode(`{"time":1449446400,"airline":"${
        'x'.repeat(LIMITS.maxRecordBytes)}"}\n`);

      const written = writeAll(upload, huge, 65_536)
        .then(() => upload.checkpoint());

      const expected = {
        name: 'CountingError', type: 'parse_exception', status: 400,
        message: `A record is larger than the limit of ${
          LIMITS.maxRecordBytes} bytes (ML_MAX_RECORD_BYTES).`,
      };
      await expect(written).rejects.toBeInstanceOf(CountingError);
      await expect(written).rejects.toMatchObject(expected);
      await expect(upload.end()).rejects.toMatchObject(expected);
      await expect(upload.write(encode('{"time":1}\n')))
        .rejects.toMatchObject(expected);
      await upload.close();
    });

  test('leaves a thread it failed on ready for the next upload', async () => {
    const failed = onThread();
    await expect(failed.write(encode('{"time":1449446400}\n{'))
      .then(() => failed.end())).rejects.toMatchObject(
      { message: 'The input JSON data is malformed.' });
    await failed.close();

    // The thread kept from the failed upload counts this one from nothing.
    const next = onThread();
    const line = '{"time":1449446400,"airline":"AAL","responsetime":"1.5"}\n';
    await next.write(encode(line));
    const result = await next.end();
    await next.close();

    // ASCII: a byte a character.
    expect(result.counts).toMatchObject({ processedRecordCount: 1,
      inputBytes: line.length, missingFieldCount: 0 });
  });

  test('refuses writes once closed', async () => {
    const upload = onThread();
    await upload.close();

    await expect(upload.write(encode('{"time":1}\n'))).rejects.toThrow(
      'the upload is closed');
  });
});

describe('the counting threads of the process', () => {
  test('hold at most one upload a spare core; the next counts inline',
    async () => {
      // Each thread holds about 70 MB, and on two cores twelve objects at
      // once took the process to 1.16 GB against 323 MB inline, for no
      // more speed: threads beyond the cores only take turns.
      const spare = Math.max(1, availableParallelism() - 1);
      const started = Array.from({ length: spare },
        () => startCountingThread(fq, openedState(fq), options));

      const over = startCountingThread(fq, openedState(fq), options);
      await (started[0] as CountingUpload).close();
      const after = startCountingThread(fq, openedState(fq), options);

      expect(started.every((upload) => upload !== undefined)).toBe(true);
      expect(over).toBeUndefined();
      expect(after).toBeDefined();
      for (const upload of [...started.slice(1), after]) {
        await upload?.close();
      }
    });
});
