/**
 * A tiny HTTP client for end-to-end tests: the job APIs over `fetch`,
 * against a running stack. Every call resolves with the status, headers,
 * raw text and parsed JSON; none of them throws on an error status.
 */

export interface ApiAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body, undefined when not JSON; tests read fields freely. */
  json: any;
}

export interface RequestOptions {
  body?: string | Uint8Array;
  /** Sent as is; `null` sends no Content-Type at all. */
  contentType?: string | null;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** Ends the request, e.g. `AbortSignal.timeout(ms)` against a hang. */
  signal?: AbortSignal;
}

export type Query = Record<string, string>;

export interface JobsApi {
  url: string;
  request(method: string, path: string, options?: RequestOptions):
    Promise<ApiAnswer>;
  putJob(jobId: string, body: object): Promise<ApiAnswer>;
  open(jobId: string): Promise<ApiAnswer>;
  /** NDJSON by default. */
  post(jobId: string, body: string | Uint8Array,
    options?: Omit<RequestOptions, 'body'>): Promise<ApiAnswer>;
  flush(jobId: string, query?: Query): Promise<ApiAnswer>;
  close(jobId: string): Promise<ApiAnswer>;
  stats(jobId: string, query?: Query): Promise<ApiAnswer>;
  /** `data_counts` of the job's stats entry; fails the test when absent. */
  dataCounts(jobId: string): Promise<Record<string, unknown>>;
  /** Creates and opens a job, failing the test on any other answer. */
  openedJob(jobId: string, body: object): Promise<void>;
}

/** A request with a JSON body, or none: its status and parsed answer. */
export async function callJson(
  url: string, method: string, path: string, body?: unknown,
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const NDJSON = 'application/x-ndjson';
const JSON_TYPE = 'application/json';

export function jobsApi(url: string): JobsApi {
  const request = async (
    method: string, path: string, options: RequestOptions = {},
  ): Promise<ApiAnswer> => {
    const headers: Record<string, string> = { ...options.headers };
    const type = options.contentType === undefined && options.body !== undefined
      ? JSON_TYPE : options.contentType;
    if (type !== undefined && type !== null) headers['content-type'] = type;
    const query = new URLSearchParams(options.query ?? {}).toString();
    const target = `${url}${path}${query === '' ? '' : `?${query}`}`;

    // A string body would get fetch's own `text/plain` type; bytes get none.
    const body = typeof options.body === 'string'
      ? new TextEncoder().encode(options.body) : options.body;
    const response = await fetch(target, {
      method, headers, body, signal: options.signal,
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      text,
      json: parseOrUndefined(text),
    };
  };

  const job = (jobId: string, rest = '') =>
    `/_ml/anomaly_detectors/${encodeURIComponent(jobId)}${rest}`;

  const api: JobsApi = {
    url,
    request,
    putJob: (jobId, body) =>
      request('PUT', job(jobId), { body: JSON.stringify(body) }),
    open: (jobId) => request('POST', job(jobId, '/_open')),
    post: (jobId, body, options = {}) => request('POST', job(jobId, '/_data'),
      { contentType: NDJSON, ...options, body }),
    flush: (jobId, query) =>
      request('POST', job(jobId, '/_flush'), { query }),
    close: (jobId) => request('POST', job(jobId, '/_close')),
    stats: (jobId, query) =>
      request('GET', job(jobId, '/_stats'), { query }),

    async dataCounts(jobId) {
      const answer = await api.stats(jobId);
      const counts = answer.json?.jobs?.[0]?.data_counts;
      if (answer.status !== 200 || counts === undefined) {
        throw new Error(`stats of ${jobId}: ${answer.status} ${answer.text}`);
      }
      return counts;
    },

    async openedJob(jobId, body) {
      const put = await api.putJob(jobId, body);
      if (put.status !== 200) {
        throw new Error(`put ${jobId}: ${put.status} ${put.text}`);
      }
      const opened = await api.open(jobId);
      if (opened.status !== 200) {
        throw new Error(`open ${jobId}: ${opened.status} ${opened.text}`);
      }
    },
  };
  return api;
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Job "FQ" of spec §10: metric(responsetime) by airline, epoch seconds,
 * span 1 h → input fields {airline, responsetime, time}, A = 2.
 */
export function fqJob(analysis: object = {}, data: object = {}): object {
  return {
    analysis_config: {
      bucket_span: '1h',
      detectors: [{
        function: 'metric', field_name: 'responsetime',
        by_field_name: 'airline',
      }],
      ...analysis,
    },
    data_description: {
      format: 'xcontent', time_field: 'time', time_format: 'epoch', ...data,
    },
  };
}

/**
 * Job of spec §10.7: metric(value), epoch seconds → {time, value}, A = 1.
 */
export function valueJob(analysis: object = {}, data: object = {}): object {
  return {
    analysis_config: {
      bucket_span: '5m',
      detectors: [{ function: 'metric', field_name: 'value' }],
      ...analysis,
    },
    data_description: { time_format: 'epoch', ...data },
  };
}

/** Lines joined by `\n`, with no trailing newline. */
export const lines = (...records: string[]): string => records.join('\n');

/** A fresh, valid job id for each call within one test file. */
export function jobIds(prefix: string): () => string {
  let next = 0;
  return () => `${prefix}-${(next += 1)}`;
}
