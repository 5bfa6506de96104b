import { CliError } from './cliErrors.js';
import type { CliIo } from './cliIo.js';
import {
  addCounts, emptyCounts, type DataCountsBody,
} from './dataCountsSum.js';
import { openInput, readFirstLine } from './inputSource.js';
import { PartSplitter, type Part, type SplitFormat } from './partSplitter.js';
import { startProgress } from './progress.js';
import {
  ConnectionError, ServerClient, ServerError, jobPath,
} from './serverClient.js';
import { dataCountsRows, formatCount, keyValueTable } from './textTable.js';
import { countWarnings } from './statsCommand.js';

export interface PostOptions {
  maxBytes: number;
  fromByte: number;
  json: boolean;
}

interface Run {
  jobId: string;
  file: string;
  counts: DataCountsBody;
  parts: number;
  records: number;
  /** Where the next part starts: the resume offset if it fails. */
  offset: number;
  startOffset: number;
}

const NEWLINE = 0x0a;
const CLOSE_OBJECT = 0x7d;

/**
 * `ml-intake post`: sends a file in consecutive uploads that each fit the
 * server's limit, cut between records, and adds up their counts.
 */
export async function postFile(
  client: ServerClient, jobId: string, file: string, options: PostOptions,
  io: CliIo,
): Promise<void> {
  const format = await splitFormatOf(client, jobId);
  const needsHeader = format.kind === 'csv' && options.fromByte > 0;
  // Stdin cannot be read twice: there the header is taken from the bytes
  // skipped on the way to the offset.
  const header = needsHeader && file !== '-'
    ? await readFirstLine(file, io.stdin) : undefined;
  const input = await openInput(file, io.stdin, {
    fromByte: options.fromByte,
    boundaryBytes: format.kind === 'csv'
      ? [NEWLINE] : [NEWLINE, CLOSE_OBJECT],
  });
  let splitter: PartSplitter | undefined;
  const splitterOnceSkipped = (): PartSplitter => {
    if (splitter !== undefined) return splitter;
    const csvHeader = header ?? input.skippedFirstLine();
    if (needsHeader && !csvHeader) {
      throw new CliError('resuming a CSV file needs its header line, '
        + `and none ends before --from-byte ${options.fromByte}`);
    }
    splitter = new PartSplitter({
      maxBytes: options.maxBytes, format, startOffset: options.fromByte,
      header: needsHeader ? csvHeader : undefined,
    });
    return splitter;
  };

  const run: Run = {
    jobId, file, counts: emptyCounts(jobId), parts: 0, records: 0,
    offset: options.fromByte, startOffset: options.fromByte,
  };
  const progress = startProgress(io.progressStream, input.totalBytes,
    `post ${jobId}`);
  try {
    for await (const chunk of input.chunks) {
      for (const part of splitterOnceSkipped().push(chunk)) {
        await send(client, run, part);
      }
      progress.update(input.bytesRead(), run.records);
    }
    for (const part of splitterOnceSkipped().end()) {
      await send(client, run, part);
    }
    progress.update(input.bytesRead(), run.records);
  } catch (error) {
    throw withResumeHint(error, run);
  } finally {
    progress.stop();
  }

  io.stdout(options.json ? `${JSON.stringify(run.counts)}\n`
    : summary(run));
}

async function splitFormatOf(
  client: ServerClient, jobId: string,
): Promise<SplitFormat> {
  const answer = await client.request('GET', jobPath(jobId));
  const description = answer?.jobs?.[0]?.data_description ?? {};
  if (description.format !== 'delimited') return { kind: 'json' };
  return { kind: 'csv', quote: description.quote_character ?? '"' };
}

async function send(client: ServerClient, run: Run, part: Part) {
  const counts = await client.request('POST', jobPath(run.jobId, '/_data'),
    { bytes: part.body });
  run.counts = addCounts(run.counts, counts);
  run.parts += 1;
  run.records += part.records;
  run.offset = part.end;
}

/** A failed part: say what was committed and how to go on from there. */
function withResumeHint(error: unknown, run: Run): unknown {
  if (!(error instanceof ServerError || error instanceof ConnectionError)) {
    return error;
  }
  const committed = `${formatCount(run.parts)} part(s) committed before `
    + `it: ${formatCount(run.offset - run.startOffset)} bytes, `
    + `${formatCount(run.records)} records`;
  const resume = `resume with: ml-intake post ${run.jobId} ${run.file} `
    + `--from-byte ${run.offset}`;
  // A broken connection may have lost the answer to a committed part.
  const doubt = error instanceof ConnectionError
    ? '; the server may have counted the failed part, check '
      + `'ml-intake stats ${run.jobId}' first` : '';
  return new CliError(`part ${run.parts + 1} failed: ${error.message}; `
    + `${committed}; ${resume}${doubt}`);
}

function summary(run: Run): string {
  const warnings = countWarnings(run.counts);
  return `Posted ${formatCount(run.records)} records in `
    + `${formatCount(run.parts)} upload(s) to job ${run.jobId}\n\n`
    + keyValueTable(dataCountsRows(run.counts))
    + warnings.map((warning) => `warning: ${warning}\n`).join('');
}
