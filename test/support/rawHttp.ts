import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** True when the server closed the connection after answering. */
  closed: boolean;
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

export function readAnswer(socket: Socket, waitMs = 5_000): Promise<RawAnswer> {
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
  let text = bytes.toString('latin1');
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
  const length = Number(headers['content-length'] ?? 0);
  const body = Buffer.from(text.slice(end + 4), 'latin1')
    .subarray(0, length).toString('utf8');
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}
