import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { expect, test } from 'vitest';
import { readBody, type BodyOutcome } from '../../infra/local/bodyReader.js';

/**
 * A request whose client has closed its connection before the body is
 * asked for, as when it leaves while its key is checked.
 */
async function readAfterClientLeft(): Promise<BodyOutcome> {
  let gone: Promise<IncomingMessage> | undefined;
  const server = createServer((request) => {
    // The cut body is an 'error' (aborted) as well as a 'close'.
    request.on('error', () => undefined);
    gone = new Promise((resolve) => {
      request.once('close', () => resolve(request));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  try {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write('POST /_ml/anomaly_detectors/a/_data HTTP/1.1\r\n'
      + 'Host: localhost\r\nContent-Length: 1000000\r\n\r\n');
    while (gone === undefined) await new Promise((r) => setTimeout(r, 5));
    socket.destroy();
    const request = await gone;

    return await readBody(request, {
      limit: 2_000_000, declared: 1_000_000, chunked: undefined,
      // A window longer than the test may take: without the check the
      // read would wait it out.
      pace: { windowMs: 60_000, minBytesPerSec: 1024 },
    });
  } finally {
    server.close();
  }
}

test('a body whose client has already gone is aborted at once', async () => {
  expect(await readAfterClientLeft()).toEqual({ kind: 'aborted' });
}, 10_000);
