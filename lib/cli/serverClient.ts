import { CliError } from './cliErrors.js';

/** An error answer of the server, in Elasticsearch's envelope. */
export class ServerError extends CliError {
  constructor(
    readonly status: number, readonly type: string, readonly reason: string,
  ) {
    super(`${status} ${type}: ${oneLine(reason)}`);
    this.name = 'ServerError';
  }
}

/** The request went out but no answer came back. */
export class ConnectionError extends CliError {
  /** Whether the request may have been carried out: unknown, so true. */
  mayHaveCounted = true;
}

export interface ServerOptions {
  url: string;
  /** The `encoded` value of an API key. */
  apiKey?: string;
}

export interface RequestBody {
  json?: unknown;
  bytes?: Uint8Array;
}

/** A small client of the service's REST API. */
export class ServerClient {
  readonly url: string;

  constructor(private readonly options: ServerOptions) {
    this.url = checkedUrl(options.url).replace(/\/+$/, '');
  }

  async request(
    method: string, path: string, body: RequestBody = {},
  ): Promise<any> {
    const headers: Record<string, string> = {};
    if (this.options.apiKey) {
      headers.authorization = `ApiKey ${this.options.apiKey}`;
    }
    let payload: Uint8Array | string | undefined;
    if (body.json !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    } else if (body.bytes !== undefined) {
      headers['content-type'] = 'application/x-ndjson';
      payload = body.bytes;
    }

    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`,
        { method, headers, body: payload });
    } catch (error) {
      throw unreachable(this.url, error);
    }
    const text = await response.text().catch((error: unknown) => {
      throw unreachable(this.url, error);
    });
    if (response.ok) return text === '' ? {} : JSON.parse(text);
    const error = errorFrom(response.status, text);
    if (response.status !== 401) throw error;
    // Say which of the user's two mistakes this is.
    const hint = this.options.apiKey
      ? 'the API key given was not accepted (unknown, revoked, expired '
        + 'or mistyped)'
      : 'give an API key with --api-key or ML_API_KEY';
    throw new ServerError(error.status, error.type,
      `${error.reason}; ${hint}`);
  }
}

/**
 * `127.0.0.1:9400` reads to a URL parser as a bad scheme or none, and
 * `http://` as no URL at all; fetch then fails as if the server were
 * down, so say what is wrong.
 */
function checkedUrl(url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  const protocol = parsed?.protocol;
  if ((protocol === 'http:' || protocol === 'https:') && parsed?.host) {
    return url;
  }
  if (/^https?:/i.test(url)) {
    throw new CliError(`the server URL '${url}' has no host; give one, `
      + 'e.g. --url http://127.0.0.1:9200');
  }
  const bare = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  throw new CliError(`the server URL '${url}' needs http:// or https:// `
    + `in front, e.g. --url http://${bare}`);
}

function unreachable(url: string, error: unknown): ConnectionError {
  const cause = (error as { cause?: { code?: string; message?: string } })
    .cause;
  const detail = cause?.code ?? cause?.message
    ?? (error instanceof Error ? error.message : String(error));
  return new ConnectionError(`cannot reach the server at ${url} `
    + `(${detail}); is it running? Start one with 'ml-intake serve'`);
}

function errorFrom(status: number, text: string): ServerError {
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    return new ServerError(status, 'error', text || `HTTP ${status}`);
  }
  if (typeof body?.error === 'string') {
    return new ServerError(status, 'error', body.error);
  }
  // API Gateway's own answers, such as a 413 before the function runs.
  if (body?.error === undefined && typeof body?.message === 'string') {
    return new ServerError(status, 'error', body.message);
  }
  const error = body?.error ?? {};
  const reason = typeof error.reason === 'string' ? error.reason
    : `HTTP ${status}`;
  return new ServerError(status, String(error.type ?? 'error'), reason);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

export const jobPath = (jobId: string, rest = ''): string =>
  `/_ml/anomaly_detectors/${encodeURIComponent(jobId)}${rest}`;
