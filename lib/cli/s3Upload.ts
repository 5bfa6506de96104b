import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultUploadName } from '../jobs/objectKeys.js';
import { CliError, clause } from './cliErrors.js';
import type { CliIo } from './cliIo.js';
import { startProgress, type Progress } from './progress.js';
import { ServerError, type ServerClient, jobPath } from './serverClient.js';
import { dataCountsRows, keyValueTable } from './textTable.js';

export interface ViaS3Options {
  json: boolean;
  /** How often to ask how the ingestion is going. */
  pollMs: number;
  /** Give up following after this long without progress (15 min). */
  stallMs?: number;
}

/**
 * In AWS an object waiting behind another of the same job comes back every
 * 5 minutes; three such waits without a byte counted means something else
 * is wrong, and the user should look rather than watch a frozen bar.
 */
const DEFAULT_STALL_MS = 15 * 60_000;

interface UploadStatus {
  key: string;
  state: 'queued' | 'ingesting' | 'done' | 'failed';
  bytes_done: number;
  bytes_total: number;
  data_counts?: Record<string, unknown>;
  error?: string;
}

/**
 * `ml-intake post --via-s3`: the whole file goes to S3 through a
 * presigned URL, and the server ingests it in chunks; this follows the
 * ingestion until the object is done or failed.
 */
export async function postViaS3(
  client: ServerClient, jobId: string, file: string, options: ViaS3Options,
  io: CliIo,
): Promise<void> {
  if (file === '-') {
    throw new CliError('--via-s3 needs a file by name: S3 must know the '
      + 'size before the upload starts');
  }
  const size = await sizeOf(file);
  await checkOpen(client, jobId);
  const target = await askForUrl(client, jobId, await isGzip(file));

  const progress = startProgress(io.progressStream, size, `upload ${jobId}`);
  let status: UploadStatus;
  try {
    await putFile(target.url, file, size, progress);
    status = await followIngestion(client, jobId, target.key, options,
      progress);
  } finally {
    progress.stop();
  }

  const counts = status.data_counts ?? {};
  io.stdout(options.json ? `${JSON.stringify(counts)}\n`
    : `Ingested ${target.key} through S3 into job ${jobId}\n\n`
      + keyValueTable(dataCountsRows(counts)));
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    throw new CliError(`no such file: ${file}`);
  }
}

/**
 * A job that is not open would refuse the object only once all of it is
 * in S3; the state is asked first so that nothing is uploaded for that.
 */
async function checkOpen(client: ServerClient, jobId: string): Promise<void> {
  const stats = await client.request('GET', jobPath(jobId, '/_stats'));
  const state = stats?.jobs?.[0]?.state;
  if (state === 'opened') return;
  throw notOpen(jobId, `it is ${state ?? 'in no known state'}`);
}

function notOpen(jobId: string, why: string): CliError {
  return new CliError(`job ${jobId} does not take data: ${why}; open it `
    + `with 'ml-intake jobs open ${jobId}'; nothing was uploaded`);
}

/** Gzip is told by its first two bytes, as `post` over HTTP tells it. */
async function isGzip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/**
 * The server inflates an object only when its key ends in `.gz`, so a
 * gzip file gets a unique name of the CLI's own with that ending; any
 * other file takes the unique name the server gives.
 */
async function askForUrl(
  client: ServerClient, jobId: string, gzip: boolean,
): Promise<{ url: string; key: string }> {
  const body = gzip
    ? { json: { file_name: `${defaultUploadName(Date.now())}.gz` } }
    : {};
  try {
    return await client.request('POST', jobPath(jobId, '/_upload'), body);
  } catch (error) {
    if (!(error instanceof ServerError)) throw error;
    if (/no handler found/.test(error.reason)) {
      throw new CliError('this server does not offer uploads through S3; '
        + 'post without --via-s3');
    }
    // The job was closed since its state was asked.
    if (error.status === 409) {
      throw notOpen(jobId, clause(error.reason));
    }
    throw error;
  }
}

function putFile(
  url: string, file: string, size: number, progress: Progress,
): Promise<void> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const put = send(url, {
      method: 'PUT', headers: { 'content-length': String(size) },
    }, (response) => {
      response.resume();
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else reject(new CliError(`the upload to S3 failed with HTTP ${status}`));
      });
    });
    put.on('error', (error) => reject(new CliError(
      `the upload to S3 failed: ${error.message}`)));
    const body = createReadStream(file);
    let sent = 0;
    body.on('data', (chunk) => {
      sent += chunk.length;
      progress.update(sent, 0);
    });
    body.on('error', (error) => put.destroy(error));
    body.pipe(put);
  });
}

async function followIngestion(
  client: ServerClient, jobId: string, key: string, options: ViaS3Options,
  progress: Progress,
): Promise<UploadStatus> {
  const stallMs = options.stallMs ?? DEFAULT_STALL_MS;
  let seen = '';
  let seenAt = Date.now();
  for (;;) {
    const answer = await client.request('GET', jobPath(jobId, '/_uploads'));
    const status = (answer.uploads as UploadStatus[] | undefined)
      ?.find((upload) => upload.key === key);
    if (status?.state === 'done') return status;
    const now = `${status?.state}:${status?.bytes_done}`;
    if (now !== seen) {
      seen = now;
      seenAt = Date.now();
    } else if (Date.now() - seenAt > stallMs) {
      throw new CliError(`ingesting ${key} made no progress for `
        + `${Math.round(stallMs / 60_000)} minutes (state `
        + `${status?.state ?? 'not listed yet'}); it may still finish: see `
        + `'ml-intake stats ${jobId}' and GET .../${jobId}/_uploads`);
    }
    if (status?.state === 'failed') {
      const reason = clause(status.error ?? 'no reason given');
      throw new CliError(`ingesting ${key} failed: ${reason}; `
        + `${status.bytes_done} of ${status.bytes_total} bytes were counted `
        + 'before it stopped');
    }
    if (status !== undefined) {
      const records = Number(status.data_counts?.input_record_count ?? 0);
      progress.update(status.bytes_done, records);
    }
    await sleep(options.pollMs);
  }
}
