/**
 * Requests Node's HTTP parser refuses before any handler runs: a raw
 * non-ASCII byte or a path without a leading `/` in the request line, a
 * control character in a header, a Content-Length that is not one
 * non-negative integer, both Content-Length and Transfer-Encoding, an
 * unknown method. Node answers these with a bare 400 and no body; here
 * they get the Elasticsearch envelope, and the connection is closed.
 * So does a request still unfinished at Node's request timeout (300 s).
 */
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  errorResponse, headersTooLarge, type HttpResponse,
} from '../../lib/api/index.js';
import { MlError } from '../../lib/errors.js';

/** Node's parser errors carry llhttp's words in `reason`. */
type ParserError = NodeJS.ErrnoException & { reason?: string };

/** What to add to llhttp's words so the client knows what to change. */
const HINTS: Record<string, string> = {
  HPE_INVALID_URL: 'the request target must be a path that starts with / '
    + 'and holds ASCII characters only; percent-encode any other byte',
  HPE_INVALID_METHOD: 'the method must be one HTTP defines, such as GET, '
    + 'PUT, POST or DELETE',
  HPE_INVALID_CONTENT_LENGTH: 'Content-Length must be one non-negative '
    + 'integer',
  HPE_INVALID_HEADER_TOKEN: 'header names and values must not hold '
    + 'control characters',
  HPE_INVALID_TRANSFER_ENCODING: 'send Content-Length or '
    + 'Transfer-Encoding: chunked, not both',
  HPE_UNEXPECTED_CONTENT_LENGTH: 'send Content-Length or '
    + 'Transfer-Encoding: chunked, not both',
};

export function answerClientError(error: ParserError, socket: Duplex): void {
  // Node's own rule: once a response has begun on this connection, bytes
  // written now would land inside it.
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })
    ._httpMessage;
  if (!socket.writable || inFlight?.headersSent === true) {
    socket.destroy();
    return;
  }
  socket.end(rawResponse(errorResponse(clientError(error), false)));
  // The server's sockets are half-open: end() closes our side only, and a
  // client that keeps its own open would keep the request, and any share
  // of the in-flight budget it holds, for ever.
  const timer = setTimeout(() => socket.destroy(), CLOSE_WAIT_MS);
  socket.once('close', () => clearTimeout(timer));
}

/** How long a client has to read the answer and close its side. */
const CLOSE_WAIT_MS = 1_000;

export function clientError(error: ParserError): MlError {
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    // Over `maxHeaderSize`: 16 KiB unless --max-http-header-size is set.
    return headersTooLarge(maxHeaderSize);
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new MlError(408, 'status_exception',
      'The request did not arrive in time; send its headers and body '
        + 'without pausing');
  }
  const words = (error.reason ?? 'it could not be parsed').replace(/\.$/, '');
  const hint = HINTS[error.code ?? ''];
  return new MlError(400, 'illegal_argument_exception',
    `Invalid HTTP request: ${words}${hint === undefined ? '' : `; ${hint}`}`);
}

/** A whole response as bytes, for a socket no ServerResponse owns. */
export function rawResponse(answer: HttpResponse): string {
  const headers = Object.entries({
    ...answer.headers,
    'content-length': String(Buffer.byteLength(answer.body)),
    connection: 'close',
  }).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\n`
    + `${headers}\r\n${answer.body}`;
}
