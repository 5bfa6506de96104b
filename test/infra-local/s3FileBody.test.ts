import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  type OpenedRange, sendFileRange,
} from '../../infra/local/s3FileBody.js';

let dir: string;
let path: string;
let server: Server;
let url: string;
/** fs.read calls made on a file stream that was already closed. */
let readsOfClosed = 0;

// 32 MiB: 128 of the 256 KiB buffers the body is sent from, and more than
// the socket buffers of both ends hold (4 MiB and 32 MiB at most here on
// loopback; the reader's stays small, as it reads slowly), so reads are
// still to come when the file is closed 5 ms in.
const bytes = randomBytes(32 * 1024 * 1024);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ml-intake-file-body-'));
  path = join(dir, 'object');
  await writeFile(path, bytes);
  const reads: Pick<typeof fs, 'read'> = {
    read: ((fd: unknown, ...rest: unknown[]) => {
      if (typeof fd !== 'number') {
        readsOfClosed += 1;
        return undefined;
      }
      return (fs.read as (...args: unknown[]) => void)(fd, ...rest);
    }) as typeof fs.read,
  };
  server = createServer((_request, response) => {
    const file = fs.createReadStream(path, { start: 0, end: bytes.length - 1 });
    file.once('open', () => {
      response.writeHead(200, { 'content-length': String(bytes.length) });
      sendFileRange(reads, file as unknown as OpenedRange, response);
      // Koa closes a body's file stream as soon as the socket fails
      // (on-finished), which can come before the answer's 'close'.
      setTimeout(() => file.destroy(), 5);
    });
  });
  await new Promise<void>((listening) => {
    server.listen(0, '127.0.0.1', listening);
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((closed) => server?.close(closed));
  await rm(dir, { recursive: true, force: true });
});

test('a file closed by another part-way ends the answer, with no more reads',
  async () => {
    // A reader slower than the disk, so that reads are still to come
    // when the file is closed.
    const answer = await fetch(url);
    const reader = answer.body?.getReader();
    let received = 0;
    const readAll = async () => {
      for (;;) {
        await new Promise((later) => setTimeout(later, 2));
        const { done, value } = await (reader as NonNullable<typeof reader>)
          .read();
        if (done) return;
        received += value.length;
      }
    };

    // The answer is cut short, not left hanging.
    await expect(readAll()).rejects.toThrow();
    expect(received).toBeLessThan(bytes.length);
    expect(readsOfClosed).toBe(0);
  }, 5_000);
