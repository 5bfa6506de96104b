import { createServer, request, type Server } from 'node:http';
import { PassThrough } from 'node:stream';
import { expect } from 'vitest';
import { run } from '../../lib/cli/index.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI in-process, as `ml-intake <args>`, with no terminal and
 * `input` on its stdin.
 */
export async function cli(
  args: string[], env: Record<string, string> = {},
  input: string | Uint8Array = '',
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const stdin = new PassThrough();
  stdin.end(input);
  const code = await run(args, {
    stdout: (text) => { stdout += text; },
    stderr: (text) => { stderr += text; },
    stdin,
    env,
  });
  return { code, stdout, stderr };
}

/**
 * Creates and opens, with the CLI, a farequote job of `bucketSpan`:
 * `mean(responsetime) by airline`, epoch seconds in `time`.
 */
export async function openedCliJob(
  url: string, jobId: string, bucketSpan: string,
): Promise<void> {
  const created = await cli(['--url', url, 'jobs', 'create', jobId,
    '--bucket-span', bucketSpan, '--detector', 'mean(responsetime) by airline',
    '--time-field', 'time', '--time-format', 'epoch']);
  expect(created).toMatchObject({ code: 0, stderr: '' });
  expect((await cli(['--url', url, 'jobs', 'open', jobId])).code).toBe(0);
}

/** The job's data counts, as `ml-intake --json stats` gives them. */
export async function cliTotals(
  url: string, jobId: string,
): Promise<Record<string, unknown>> {
  const { stdout } = await cli(['--url', url, '--json', 'stats', jobId]);
  return JSON.parse(stdout).jobs[0].data_counts;
}

export interface Proxy {
  url: string;
  close(): Promise<void>;
}

/**
 * Forwards every request to `target`, after `before` has run for it
 * with the request's body (it may act on the target, e.g. close a job,
 * or answer instead by returning a status and body).
 */
export async function startProxy(
  target: string,
  before: (method: string, path: string, body: Buffer) => Promise<
    { status: number; body: string } | undefined>,
): Promise<Proxy> {
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', async () => {
      const body = Buffer.concat(chunks);
      const answer = await before(incoming.method ?? 'GET',
        incoming.url ?? '/', body);
      if (answer !== undefined) {
        outgoing.writeHead(answer.status,
          { 'content-type': 'application/json' });
        outgoing.end(answer.body);
        return;
      }
      const forward = request(`${target}${incoming.url}`, {
        method: incoming.method, headers: incoming.headers,
      }, (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
