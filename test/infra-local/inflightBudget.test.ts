import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLocalServer } from '../../infra/local/httpAdapter.js';
import { byteSize, dataTooLarge } from '../../infra/local/inflightBudget.js';
import {
  listenOnLoopback, nextData, openSocket, postHead, rawRequest, readAnswer,
} from '../support/rawHttp.js';
import { startTestStack, type TestStack } from '../support/localStack.js';
import {
  startServeProcess, type ServeProcess,
} from '../support/stackProcess.js';

const MiB = 1024 * 1024;
// One body may be 1 MiB; bodies in flight may hold 1.5 MiB together.
const BODY_LIMIT = MiB;
const BUDGET = 1.5 * MiB;
const PATH = '/_ml/anomaly_detectors/nobody/_data';

describe('byte sizes in the circuit breaker message', () => {
  // The figures of an Elasticsearch answer: 123848638 bytes is 118.11 MiB
  // and 123273216 is 117.56 MiB, shown as 118.1mb and 117.5mb (cut).
  test.each([[123_848_638, '118.1mb'], [123_273_216, '117.5mb'],
    [2 * MiB, '2mb'], [1536, '1.5kb'], [1023, '1023b'], [0, '0b'],
    [3 * 1024 ** 3, '3gb']])('shows %i bytes as %s', (bytes, text) => {
    expect(byteSize(bytes)).toBe(text);
  });

  test('reads as Elasticsearch words it', () => {
    expect(dataTooLarge(123_848_638, 123_273_216).message).toBe(
      '[parent] Data too large, data for [<http_request>] would be '
        + '[123848638/118.1mb], which is larger than the limit of '
        + '[123273216/117.5mb]');
  });
});

describe('the budget of body bytes in flight', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ maxBodyBytes: BODY_LIMIT }, 'off',
      { maxInflightBytes: BUDGET });
  });
  afterAll(() => stack?.close());

  const head = (length: number | 'chunked', extra = '') =>
    postHead(PATH, length, extra);

  /**
   * A request that declares 1 MiB and sends one byte, then waits. Its
   * 100 Continue says the server has taken its share of the budget.
   */
  async function holdOneMiB(): Promise<Socket> {
    const socket = await openSocket(stack.url);
    const continued = nextData(socket);
    socket.write(head(MiB, 'Expect: 100-continue\r\nConnection: close\r\n'));
    expect(await continued).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    socket.write('{');
    return socket;
  }

  /** A whole request of `length` bytes whose body is `{}` and spaces. */
  const whole = (length: number) => head(length, 'Connection: close\r\n')
    + '{}'.padEnd(length, ' ');

  function expectBreaker(body: string, wantedBytes: number) {
    const reason = '[parent] Data too large, data for [<http_request>] '
      + `would be [${wantedBytes}/${byteSize(wantedBytes)}], which is `
      + 'larger than the limit of [1572864/1.5mb]';
    const fields = {
      type: 'circuit_breaking_exception', reason,
      bytes_wanted: wantedBytes, bytes_limit: 1_572_864,
      durability: 'TRANSIENT',
    };
    expect(JSON.parse(body)).toEqual(
      { error: { root_cause: [fields], ...fields }, status: 429 });
  }

  test('refuses a declared length that would pass it, before its body',
    async () => {
      const holder = await holdOneMiB();

      const refused = await rawRequest(stack.url, head(MiB));
      holder.destroy();

      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBe('1');
      expect(refused.closed).toBe(true);
      // 1 MiB held plus 1 MiB wanted: 2097152 bytes.
      expectBreaker(refused.body, 2 * MiB);
    });

  test('takes a request again once the one holding the budget is served',
    async () => {
      const holder = await holdOneMiB();
      holder.write('}'.padStart(MiB - 1, ' '));
      const served = await readAnswer(holder);

      const next = await rawRequest(stack.url, whole(MiB));

      expect(served.status).toBe(404);
      expect(next.status).toBe(404);
      expect(JSON.parse(next.body).error.reason)
        .toBe("No known job with id 'nobody'");
    });

  test('gets its share back from a client that went away', async () => {
    const holder = await holdOneMiB();
    holder.destroy();
    // The server sees the close a moment later; 1 MiB then gets through.
    let status = 0;
    for (let tries = 0; tries < 50 && status !== 404; tries += 1) {
      status = (await rawRequest(stack.url, whole(MiB))).status;
    }

    expect(status).toBe(404);
  });

  test('refuses before 100 Continue a request it would refuse', async () => {
    const holder = await holdOneMiB();

    const overBudget = await rawRequest(stack.url,
      head(MiB, 'Expect: 100-continue\r\n'));
    const overLimit = await rawRequest(stack.url,
      head(BODY_LIMIT + 1, 'Expect: 100-continue\r\n'));
    holder.destroy();

    expect(overBudget.raw.startsWith('HTTP/1.1 429 ')).toBe(true);
    expect(overLimit.raw.startsWith('HTTP/1.1 413 ')).toBe(true);
  });

  test('sends 100 Continue to a request it takes', async () => {
    const socket = await openSocket(stack.url);
    const first = nextData(socket);
    socket.write(head(2, 'Expect: 100-continue\r\nConnection: close\r\n'));
    expect(await first).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    socket.write('{}');
    const answer = await readAnswer(socket);

    expect(answer.status).toBe(404);
  });

  test('counts a chunked body as it arrives and refuses it at the limit',
    async () => {
      const holder = await holdOneMiB();
      const socket = await openSocket(stack.url);
      socket.write(head('chunked'));
      // 600 KiB in chunks of 100 KiB: past the 512 KiB left.
      const piece = ' '.repeat(100 * 1024);
      for (let i = 0; i < 6; i += 1) {
        socket.write(`${piece.length.toString(16)}\r\n${piece}\r\n`);
      }
      const refused = await readAnswer(socket);
      holder.destroy();

      expect(refused.status).toBe(429);
      const { error } = JSON.parse(refused.body);
      expect(error.type).toBe('circuit_breaking_exception');
      expect(error.bytes_limit).toBe(BUDGET);
      expect(error.bytes_wanted).toBeGreaterThan(BUDGET);
      expect(error.bytes_wanted).toBeLessThanOrEqual(MiB + 600 * 1024);
    });

  test('refuses all but one of 100 requests that declare 1 MiB each',
    async () => {
      const sockets = await Promise.all(Array.from({ length: 100 },
        () => openSocket(stack.url)));
      const answers = sockets.map((socket) => readAnswer(socket, 2_000));
      for (const socket of sockets) socket.write(head(MiB) + '{');

      // The one taken waits for the rest of its body, with no answer.
      const settled = await Promise.allSettled(answers);
      const statuses = settled.map((outcome) =>
        outcome.status === 'fulfilled' ? outcome.value.status : 0);

      expect(statuses.filter((s) => s === 429)).toHaveLength(99);
      expect(statuses.filter((s) => s === 0)).toHaveLength(1);
    });
});

describe('a body over the limit', () => {
  // A server in a process of its own: in this one the client would see
  // the connection close before it picked it again, and never fail.
  let dataDir: string;
  let serve: ServeProcess;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'ml-intake-limit-'));
    serve = await startServeProcess(dataDir,
      { ML_MAX_BODY_BYTES: String(BODY_LIMIT) });
  });
  afterAll(async () => {
    await serve?.kill();
    await rm(dataDir, { recursive: true, force: true });
  });

  /**
   * Streams 8 MiB with fetch, as the CLI sends a part: no length is
   * declared, so the server finds the body too large part-way.
   */
  async function postEightMiB(): Promise<{ status: number; body: string }> {
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 8 * MiB) {
          controller.close();
          return;
        }
        sent += 64 * 1024;
        controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
      },
    });
    const response = await fetch(`${serve.url}${PATH}`, { method: 'POST',
      headers: { 'content-type': 'application/json' }, body,
      duplex: 'half' } as RequestInit);
    return { status: response.status, body: await response.text() };
  }

  test('gets its 413 answer while still sending, every time', async () => {
    // Ten in a row, each on the connection the last one left: closing it
    // after an answer lost about every other one to a reset.
    for (let i = 0; i < 10; i += 1) {
      const answer = await postEightMiB();
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body).error.reason).toContain(
        'Send large files with POST _ml/anomaly_detectors/nobody/_upload');
    }
  });
});

describe('a JSON body over its route\'s limit', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // Post data may take the default 100 MiB; a job body 1 MiB.
    stack = await startTestStack();
  });
  afterAll(() => stack?.close());

  test('is refused before 100 Continue, with that route\'s message',
    async () => {
      const refused = await rawRequest(stack.url,
        'PUT /_ml/anomaly_detectors/big HTTP/1.1\r\nHost: localhost\r\n'
        + 'Content-Type: application/json\r\n'
        + `Content-Length: ${2 * MiB}\r\nExpect: 100-continue\r\n\r\n`);

      expect(refused.raw.startsWith('HTTP/1.1 413 ')).toBe(true);
      expect(JSON.parse(refused.body).error.reason).toBe('The request body '
        + 'is larger than the limit of 1048576 bytes (1mb) after '
        + 'decompression; only post data (POST '
        + '_ml/anomaly_detectors/{job_id}/_data) takes larger bodies.');
    });
});

describe('a handler that throws', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    // The whole budget is one body: a share kept by a throw would turn
    // the next request into 429.
    server = createLocalServer(async () => {
      throw new Error('the handler failed');
    }, {
      maxBodyBytes: MiB, maxInflightBytes: MiB, localOnly: true,
      bodyPace: { windowMs: 30_000, minBytesPerSec: 1024 },
      logger: pino({ level: 'silent' }),
    });
    url = `http://127.0.0.1:${await listenOnLoopback(server)}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  test('gives its share back: the next full-size body gets through',
    async () => {
      const request = `POST ${PATH} HTTP/1.1\r\nHost: localhost\r\n`
        + `Content-Length: ${MiB}\r\nConnection: close\r\n\r\n`
        + ' '.repeat(MiB);

      const first = await rawRequest(url, request);
      const second = await rawRequest(url, request);

      // Both reach the handler; its failure is a 500 without internals.
      expect([first.status, second.status]).toEqual([500, 500]);
      expect(JSON.parse(second.body).error.reason)
        .toBe('Internal server error');
    });
});
