import { connect, type Server, type Socket } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** True when the server closed the connection after answering. */
  closed: boolean;
  /** Everything received, a leading 100 Continue included. */
  raw: string;
}

/**
 * The head of a JSON POST to `path` whose body is `length` bytes, or
 * chunked; `extra` adds header lines, each ending in CRLF.
 */
export function postHead(
  path: string, length: number | 'chunked', extra = '',
): string {
  return `POST ${path} HTTP/1.1\r\nHost: localhost\r\n`
    + 'Content-Type: application/json\r\n'
    + (length === 'chunked' ? 'Transfer-Encoding: chunked\r\n'
      : `Content-Length: ${length}\r\n`)
    + `${extra}\r\n`;
}

/** Listens on a free loopback port; resolves with the port. */
export function listenOnLoopback(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve((server.address() as { port: number }).port));
  });
}

/** A client socket to the host and port of `url`, once connected. */
export function openSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * Writes `bytes` as they are, with no HTTP client in between, and reads
 * the first answer. Resolves once the answer is whole (by its
 * Content-Length) and the server has closed the connection, or after
 * `waitMs` with `closed` false.
 */
export async function rawRequest(
  url: string, bytes: Buffer | string, waitMs = 5_000,
): Promise<RawAnswer> {
  const socket = await openSocket(url);
  socket.write(bytes);
  return readAnswer(socket, waitMs);
}

export function readAnswer(
  socket: Socket, waitMs = 5_000,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      const answer = parseAnswer(Buffer.concat(chunks));
      if (answer === undefined) reject(new Error('no answer'));
      else resolve({ ...answer, closed });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A reset after the answer (the server drops unread bytes) still
    // means the connection is closed.
    socket.on('error', () => finish(true));
    socket.on('end', () => finish(true));
  });
}

/** The first response in `bytes`; a leading 100 Continue is skipped. */
export function parseAnswer(
  bytes: Buffer,
): Omit<RawAnswer, 'closed'> | undefined {
  const raw = bytes.toString('latin1');
  let text = raw;
  while (text.startsWith('HTTP/1.1 100 ')) {
    text = text.slice(text.indexOf('\r\n\r\n') + 4);
  }
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = Buffer.from(text.slice(end + 4), 'latin1');
  const body = headers['transfer-encoding'] === 'chunked' ? unchunk(rest)
    : rest.subarray(0, Number(headers['content-length'] ?? 0));
  return {
    status: Number(statusLine.split(' ')[1]), headers,
    body: body.toString('utf8'), raw,
  };
}

/** The bytes of a chunked body, as far as they arrived. */
function unchunk(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(bytes.subarray(at, lineEnd).toString(), 16);
    if (!(size > 0)) break;
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** The next bytes the socket receives, as text. */
export function nextData(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    socket.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1')));
  });
}
