import { MlError } from '../errors.js';
import { validateJobId } from '../jobs/jobConfig.js';
import { formatSize } from './byteSizes.js';
import type { CliIo } from './cliIo.js';
import {
  addCounts, emptyCounts, type DataCountsBody,
} from './dataCountsSum.js';
import { openInput } from './inputSource.js';
import { PartSplitter, type Part } from './partSplitter.js';
import { startProgress } from './progress.js';
import { failedPart, type RunSoFar } from './postFailures.js';
import type { SplitFormat } from './recordFramer.js';
import {
  ConnectionError, ServerError, type ServerClient, jobPath,
} from './serverClient.js';
import { countWarnings } from './statsCommand.js';
import {
  countOf, dataCountsRows, formatCount, keyValueTable,
} from './textTable.js';

export interface PostOptions {
  maxBytes: number;
  fromByte: number;
  json: boolean;
}

interface Run extends RunSoFar {
  counts: DataCountsBody;
  /** The job's input bytes before this run. */
  jobBytes: number;
  /** The last limit reported on stderr after the server lowered it. */
  told?: number;
  /** The size of the first part the server refused. */
  refused?: number;
}

/**
 * When the server refuses an upload as too large (413), nothing of it
 * was counted (the size is checked before any record is read), so the
 * same part is cut again, at the limit the server states or else at half
 * the limit, in sizes of 64 KiB times a power of two; below 64 KiB the
 * size is not what the server minds.
 */
const FLOOR_BYTES = 64 * 1024;
/** The local service and the function name their limit; API Gateway not. */
const STATED_LIMIT = /limit of (\d+) bytes/;

/**
 * `ml-intake post`: sends a file in consecutive uploads that each fit the
 * server's limit, cut between records, and adds up their counts.
 */
export async function postFile(
  client: ServerClient, jobId: string, file: string, options: PostOptions,
  io: CliIo,
): Promise<void> {
  const format = await splitFormatOf(client, jobId);
  const jobBytes = await inputBytesOf(client, jobId);
  const input = await openInput(file, io.stdin);
  const splitter = new PartSplitter({
    maxBytes: options.maxBytes, format, fromByte: options.fromByte,
  });
  const run: Run = {
    jobId, file, format, counts: emptyCounts(jobId), jobBytes, parts: 0,
    records: 0,
    offset: options.fromByte, startOffset: options.fromByte,
    maxBytes: options.maxBytes, lowered: false,
  };

  const progress = startProgress(io.progressStream, input.totalBytes,
    `post ${jobId}`);
  try {
    for await (const chunk of input.chunks) {
      splitter.push(chunk);
      await sendDue(client, splitter, run, io);
      progress.update(input.bytesRead(), run.records);
    }
    splitter.end();
    await sendDue(client, splitter, run, io);
    progress.update(input.bytesRead(), run.records);
  } catch (error) {
    throw failedPart(error, run);
  } finally {
    progress.stop();
  }

  io.stdout(options.json ? `${JSON.stringify(run.counts)}\n`
    : summary(run));
}

/**
 * The API's own 400 for an id no job can have, by the API's own rule,
 * before any request: the job lookups that come first take job id
 * patterns, and would answer such an id with 404 as matching nothing.
 */
export function checkJobIdToPost(jobId: string): void {
  try {
    validateJobId(jobId);
  } catch (error) {
    if (!(error instanceof MlError)) throw error;
    throw new ServerError(error.status, error.type, error.message);
  }
}

async function splitFormatOf(
  client: ServerClient, jobId: string,
): Promise<SplitFormat> {
  const answer = await client.request('GET', jobPath(jobId));
  const description = answer?.jobs?.[0]?.data_description ?? {};
  if (description.format !== 'delimited') return { kind: 'json' };
  return {
    kind: 'csv', delimiter: description.field_delimiter ?? '\t',
    quote: description.quote_character ?? '"',
  };
}

/** Sends every part the splitter has ready, each once it is counted. */
async function sendDue(
  client: ServerClient, splitter: PartSplitter, run: Run, io: CliIo,
): Promise<void> {
  for (let part = splitter.next(); part !== undefined;
    part = splitter.next()) {
    let counts: DataCountsBody;
    try {
      counts = await client.request('POST', jobPath(run.jobId, '/_data'),
        { bytes: part.body });
    } catch (error) {
      const smaller = await smallerLimit(client, run, error, part);
      if (smaller === undefined) throw error;
      splitter.maxBytes = smaller;
      run.maxBytes = smaller;
      run.lowered = true;
      run.refused ??= part.body.length;
      continue;
    }
    splitter.taken(part);
    run.counts = addCounts(run.counts, counts);
    run.parts += 1;
    run.records += Number(counts.input_record_count ?? 0);
    run.offset = part.end;
    if (run.lowered && run.told !== run.maxBytes) {
      run.told = run.maxBytes;
      io.stderr(`ml-intake: the server refused an upload of `
        + `${formatCount(run.refused)} bytes; this run sends uploads of at `
        + `most ${formatSize(run.maxBytes)}, as --max-bytes `
        + `${formatSize(run.maxBytes)} would\n`);
    }
  }
}

/**
 * The limit to cut a part again at after it was refused, if a smaller one
 * may do. A server may also close the connection while a body it refuses
 * is still coming, before its 413 is read (the local one may): when the
 * job's input bytes show that the part was not counted, it is taken as
 * refused.
 */
async function smallerLimit(
  client: ServerClient, run: Run, error: unknown, part: Part,
): Promise<number | undefined> {
  const refused = part.body.length;
  if (error instanceof ConnectionError) {
    error.mayHaveCounted = await countedSince(client, run);
    return error.mayHaveCounted ? undefined : halved(refused);
  }
  if (!(error instanceof ServerError) || error.status !== 413) {
    return undefined;
  }
  const stated = Number(STATED_LIMIT.exec(error.reason)?.[1]);
  if (stated >= 16 && stated < refused) return stated;
  return halved(refused);
}

/**
 * 64 KiB times the largest power of two below `bytes`: half the limit a
 * part cut just under it was refused at, or less than the whole file.
 */
function halved(bytes: number): number | undefined {
  if (bytes <= FLOOR_BYTES) return undefined;
  let next = FLOOR_BYTES;
  while (2 * next < bytes) next *= 2;
  return next;
}

/** Whether the job's input bytes moved past what this run committed. */
async function countedSince(client: ServerClient, run: Run):
  Promise<boolean> {
  try {
    const committed = run.jobBytes + Number(run.counts.input_bytes);
    return await inputBytesOf(client, run.jobId) !== committed;
  } catch {
    return true;
  }
}

async function inputBytesOf(
  client: ServerClient, jobId: string,
): Promise<number> {
  const stats = await client.request('GET', jobPath(jobId, '/_stats'));
  return Number(stats?.jobs?.[0]?.data_counts?.input_bytes ?? 0);
}

function summary(run: Run): string {
  const warnings = countWarnings(run.counts);
  return `Posted ${countOf(run.records, 'record')} in `
    + `${countOf(run.parts, 'upload')} to job ${run.jobId}\n\n`
    + keyValueTable(dataCountsRows(run.counts))
    + warnings.map((warning) => `warning: ${warning}\n`).join('');
}
