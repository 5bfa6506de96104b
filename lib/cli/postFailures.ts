import { formatSize } from './byteSizes.js';
import { CliError, clause } from './cliErrors.js';
import { FramingError } from './partSplitter.js';
import type { SplitFormat } from './recordFramer.js';
import { ConnectionError, ServerError } from './serverClient.js';
import { countOf } from './textTable.js';

/** What a post run has done so far, for the line that ends a failed one. */
export interface RunSoFar {
  jobId: string;
  file: string;
  format: SplitFormat;
  parts: number;
  records: number;
  /** Where the next part starts: the resume offset if it fails. */
  offset: number;
  startOffset: number;
  maxBytes: number;
  /** Whether the server's 413 answers brought `maxBytes` down. */
  lowered: boolean;
}

/**
 * A part that failed, as one line: why, what to do, what was committed
 * before it, and the command that goes on from there. Other errors (a
 * missing file, an unreadable gzip stream) pass as they are.
 */
export function failedPart(error: unknown, run: RunSoFar): unknown {
  const cause = causeOf(error, run);
  if (cause === undefined) return error;

  const committed = `${countOf(run.parts, 'part')} committed before it: `
    + `${countOf(run.offset - run.startOffset, 'byte')}, `
    + `${countOf(run.records, 'record')}`;
  const limit = run.lowered ? ` --max-bytes ${formatSize(run.maxBytes)}` : '';
  const resume = `resume with: ml-intake post ${run.jobId} `
    + `${shellWord(run.file)} --from-byte ${run.offset}${limit}`;
  // A broken connection may have lost the answer to a committed part.
  const doubt = error instanceof ConnectionError && error.mayHaveCounted
    ? '; the server may have counted the failed part, check '
      + `'ml-intake stats ${run.jobId}' first` : '';
  return new CliError(`part ${run.parts + 1} failed: ${cause}; `
    + `${committed}; ${keyFix(error)}${resume}${doubt}`);
}

/** How the job reads its data, e.g. `JSON (format xcontent)`. */
export function formatWords(format: SplitFormat): string {
  if (format.kind === 'json') return 'JSON (format xcontent)';
  const delimiter = format.delimiter === '\t' ? 'tab'
    : `'${format.delimiter}'`;
  return `CSV with the delimiter ${delimiter} (format delimited)`;
}

function causeOf(error: unknown, run: RunSoFar): string | undefined {
  const reads = `job ${run.jobId} reads ${formatWords(run.format)}`;
  if (error instanceof FramingError) {
    const cause = `${clause(error.message)}; ${reads}, and the file may be `
      + 'in another format';
    if (error.kind === 'unreadable') return cause;
    return `${cause}; if it is not, a record is larger than an upload `
      + `may be: ${run.lowered ? '' : 'raise --max-bytes or '}use --via-s3`;
  }
  if (error instanceof ServerError) {
    const cause = clause(error.message);
    if (error.status === 413) {
      return `${cause}; the server refuses even an upload this small: use `
        + '--via-s3';
    }
    // A malformed body, or a CSV header without the job's fields (what a
    // JSON file sent to a CSV job gives).
    if (error.type === 'parse_exception' || (run.format.kind === 'csv'
      && error.message.includes('is not in the CSV header'))) {
      return `${cause}; ${reads}: check that the file is in that format`;
    }
    return cause;
  }
  if (error instanceof ConnectionError) return clause(error.message);
  return undefined;
}

/**
 * A refused key (401) or one without the privilege (403, whose reason
 * names the privileges that grant it) is fixed before resuming; the
 * offset stays right.
 */
function keyFix(error: unknown): string {
  const refused = error instanceof ServerError
    && (error.status === 401 || error.status === 403);
  return refused ? 'fix the API key (--api-key or ML_API_KEY), then ' : '';
}

/** The file name as a shell reads it back, quoted when it must be. */
function shellWord(text: string): string {
  if (/^[\w@%+=:,./-]+$/.test(text)) return text;
  return `'${text.replaceAll("'", "'\\''")}'`;
}
