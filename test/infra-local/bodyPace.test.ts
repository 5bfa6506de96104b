import {
  connect, createServer, type Server, type Socket,
} from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { answerClientError } from '../../infra/local/clientErrors.js';
import { startTestStack, type TestStack } from '../support/localStack.js';
import {
  listenOnLoopback, nextData, openSocket, postHead, rawRequest, readAnswer,
} from '../support/rawHttp.js';

const MiB = 1024 * 1024;
const PATH = '/_ml/anomaly_detectors/nobody/_data';
// Windows of 300 ms at 1,024 bytes a second: each must bring 308 bytes
// (307.2 rounded up).
const WINDOW_MS = 300;
const MIN_BYTES_PER_SEC = 1024;

const head = (length: number | 'chunked', extra = '') =>
  postHead(PATH, length, extra);

/** A whole request of `length` bytes whose body is `{}` and spaces. */
const whole = (length: number) => head(length, 'Connection: close\r\n')
  + '{}'.padEnd(length, ' ');

/** Writes `piece` every `everyMs` until stopped or the socket closes. */
function trickle(socket: Socket, piece: string, everyMs: number) {
  const timer = setInterval(() => {
    if (!socket.destroyed) socket.write(piece);
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
  return () => clearInterval(timer);
}

describe('a body that arrives too slowly', () => {
  // One body may be 1 MiB; bodies in flight may hold 1.5 MiB together.
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ maxBodyBytes: MiB }, 'off', {
      maxInflightBytes: 1.5 * MiB,
      bodyWindowMs: WINDOW_MS, minBodyBytesPerSec: MIN_BYTES_PER_SEC,
    });
  });
  afterAll(() => stack?.close());

  test('gets 408 after a window and gives its share of the budget back',
    async () => {
      const slow = await openSocket(stack.url);
      const continued = nextData(slow);
      // Declares 1 MiB, then sends a byte every 50 ms: 6 in a window.
      slow.write(head(MiB, 'Expect: 100-continue\r\n'));
      expect(await continued).toBe('HTTP/1.1 100 Continue\r\n\r\n');
      const startedMs = Date.now();
      trickle(slow, ' ', 50);

      const whileHeld = await rawRequest(stack.url, whole(MiB));
      const dropped = await readAnswer(slow, 5_000);
      const droppedAfterMs = Date.now() - startedMs;
      const after = await rawRequest(stack.url, whole(MiB));

      expect(whileHeld.status).toBe(429);
      expect(dropped.status).toBe(408);
      expect(dropped.closed).toBe(true);
      const reason = 'The request body arrived too slowly: fewer than 308 '
        + 'bytes in 300 ms. Send it without pausing, at 1024 bytes per '
        + 'second or more (ML_MIN_BODY_BYTES_PER_SEC, ML_BODY_WINDOW_MS)';
      expect(JSON.parse(dropped.body)).toEqual({
        error: { root_cause: [{ type: 'status_exception', reason }],
          type: 'status_exception', reason },
        status: 408,
      });
      // The first window ends at 300 ms; two leave room for a busy host.
      expect(droppedAfterMs).toBeLessThan(2 * WINDOW_MS + 200);
      // Through the budget to the handler, which knows no such job.
      expect(after.status).toBe(404);
    });

  test('is dropped also when it has no declared length', async () => {
    const slow = await openSocket(stack.url);
    slow.write(head('chunked'));
    trickle(slow, '1\r\n \r\n', 50);

    const dropped = await readAnswer(slow, 5_000);

    expect(dropped.status).toBe(408);
    expect(dropped.closed).toBe(true);
  });

  test('is dropped when it stops coming altogether', async () => {
    const slow = await openSocket(stack.url);
    slow.write(head(MiB) + '{');

    const dropped = await readAnswer(slow, 5_000);

    expect(dropped.status).toBe(408);
  });

  test('is served when slow but above the pace, over several windows',
    async () => {
      // 1 KiB every 100 ms is 10 KiB a second; 13 KiB take 1.3 s, about
      // four windows.
      const socket = await openSocket(stack.url);
      const length = 13 * 1024;
      socket.write(head(length, 'Connection: close\r\n') + '{}');
      let sent = 2;
      const timer = setInterval(() => {
        const piece = Math.min(1024, length - sent);
        socket.write(' '.repeat(piece));
        sent += piece;
        if (sent === length) clearInterval(timer);
      }, 100);

      const answer = await readAnswer(socket, 5_000);

      expect(answer.status).toBe(404);
      expect(sent).toBe(length);
    });
});

describe('a request at Node\'s request timeout', () => {
  let server: Server;
  let port: number;
  /** Resolves when the server's side of the connection has closed. */
  let serverClosed: Promise<void>;
  beforeAll(async () => {
    let closed: () => void;
    serverClosed = new Promise((resolve) => { closed = resolve; });
    // Half-open, as node:http's own server sockets are.
    server = createServer({ allowHalfOpen: true }, (socket) => {
      socket.once('close', () => closed());
      const timeout = Object.assign(new Error('request timeout'),
        { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
      answerClientError(timeout, socket);
    });
    port = await listenOnLoopback(server);
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  test('gets 408 and its connection closed though the client keeps it',
    async () => {
      // A client that keeps its side open after the server's FIN: before,
      // the server's socket (and the request on it, with any share of the
      // budget) stayed open as long as the client liked.
      const client = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
      const chunks: Buffer[] = [];
      client.on('data', (chunk: Buffer) => chunks.push(chunk));
      const startedMs = Date.now();
      await Promise.race([serverClosed,
        new Promise((_, reject) => setTimeout(() =>
          reject(new Error('socket still open')), 3_000))]);
      client.destroy();

      expect(Date.now() - startedMs).toBeLessThan(2_000);
      expect(Buffer.concat(chunks).toString().split('\r\n')[0])
        .toBe('HTTP/1.1 408 Request Timeout');
    });
});
