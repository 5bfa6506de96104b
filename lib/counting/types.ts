/**
 * Shapes shared by the counting core. Everything here is plain data that
 * survives JSON.stringify, because the job state is persisted between
 * uploads and each upload may run in a different Lambda.
 */

/** The stored counters of one accumulator (job totals or one upload). */
export interface DataCounts {
  processedRecordCount: number;
  inputBytes: number;
  inputFieldCount: number;
  invalidDateCount: number;
  missingFieldCount: number;
  outOfOrderTimestampCount: number;
  emptyBucketCount: number;
  sparseBucketCount: number;
  bucketCount: number;
  earliestRecordTimestamp: number | null;
  latestRecordTimestamp: number | null;
  lastDataTime: number | null;
  latestEmptyBucketTimestamp: number | null;
  latestSparseBucketTimestamp: number | null;
  logTime: number | null;
}

/** What the counting core needs to know about a job. */
export interface CountingConfig {
  bucketSpanMs: number;
  /** `analysis_config.latency` in ms (0 when not set). */
  latencyMs: number;
  /** Dotted path of the time field, e.g. `time` or `event.time`. */
  timeField: string;
  /** `epoch`, `epoch_ms` or a Java DateTimeFormatter pattern. */
  timeFormat: string;
  /**
   * The input field set of spec §6.1, time field included, without
   * duplicates and without `mlcategory`. Order is not significant.
   */
  inputFields: readonly string[];
  format: 'xcontent' | 'delimited';
  /** Only for `delimited`: one character, default tab. */
  fieldDelimiter: string;
  /** Only for `delimited`: one character, default `"`. */
  quoteCharacter: string;
}

/** Limits that protect the reader from hostile input. */
export interface ReaderLimits {
  /** Largest single record in bytes; a larger one fails the upload (400). */
  maxRecordBytes: number;
  /** Deepest nesting of objects and arrays; deeper fails the upload (400). */
  maxDepth: number;
  /** Most leaf fields in one record; more fails the upload (400). */
  maxFieldsPerRecord: number;
}

/**
 * The persisted counting state of a job: totals, the bucket diagnostics of
 * the open session and the engine's finalized-bucket clock.
 */
export interface CountingState {
  totals: DataCounts;
  /**
   * `A` of spec §3.6 for the open session: 1 after open until the first
   * upload sets it to the real analysed-field count.
   */
  analysedFieldCount: number;
  /** Diagnostics window of the open session; null while the job is closed. */
  diagnostics: DiagnosticsState | null;
  /**
   * The analytics engine's last finalized bucket end in seconds (spec §8.4),
   * null until the first record or `advance_time`.
   */
  lastFinalizedBucketEndSec: number | null;
}

/**
 * The moving window of spec §7.2, as persisted between uploads. The names
 * are the keys of the job state stored in DynamoDB, so they stay as they
 * are (a renamed key would leave every stored state unreadable, and a
 * half-deployed service would read the other name); the units are here.
 * Starts are bucket starts in epoch ms, -1 for none yet.
 */
export interface DiagnosticsState {
  /** Records per bucket, a ring of W buckets. */
  counts: number[];
  /** Records in the window (the sum of `counts`). */
  movingTotal: number;
  /** Start (ms) of the latest bucket, and its index in `counts`. */
  latestStart: number;
  latestIdx: number;
  /** Start (ms) of the earliest bucket in the window, and its index. */
  earliestStart: number;
  earliestIdx: number;
  /** Start (ms) of the last bucket finalized (stored spelling). */
  lastFinalisedStart: number;
  /** Session counters not yet folded into data counts (spec §7.6). */
  bucketCount: number;
  emptyBucketCount: number;
  sparseBucketCount: number;
  /** Start (ms) of the latest empty and latest sparse bucket, or -1. */
  latestEmpty: number;
  latestSparse: number;
}

/**
 * Receives each record as the reader finishes it. `values[i]` is the text
 * captured for `inputFields[i]`, or undefined when the record lacks it. The
 * array is reused for the next record: read it, do not keep it.
 */
export interface RecordSink {
  record(leafCount: number, values: ReadonlyArray<string | undefined>): void;
}

/**
 * A streaming record reader over byte chunks. Chunk edges may fall anywhere.
 * Records are handed to the sink synchronously from `write` and `end`.
 */
export interface RecordReader {
  write(chunk: Uint8Array): void;
  /** Finishes the input; throws a CountingError on a truncated record. */
  end(): void;
  /**
   * Bytes of input (counted from the start of the whole stream, including
   * bytes before a resume) that belong to records already handed to the
   * sink, plus whatever separators followed them. Reading may resume here.
   */
  readonly committedOffset: number;
  /** Opaque, JSON-serialisable state at `committedOffset`, for resuming. */
  checkpoint(): ReaderCheckpoint;
}

export interface ReaderCheckpoint {
  offset: number;
  /** Reader-specific resumable state (parser contexts, CSV header, ...). */
  state: unknown;
}

/** What one finished upload (HTTP body or S3 object) gives back. */
export interface UploadResult {
  /** The upload's own (incremental) counts: the post-data response. */
  counts: DataCounts;
  /** The job's new counting state, to be committed. */
  state: CountingState;
}

/**
 * A point inside an upload where everything before `resume.offset` has been
 * counted into `state`; an S3 ingestion commits both and can start again
 * from there in another process.
 */
export interface UploadCheckpoint {
  state: CountingState;
  /** The upload's own counts up to the checkpoint (no end-of-upload fold). */
  counts: DataCounts;
  /** Opaque, JSON-serialisable; hand it back to `startUpload` to go on. */
  resume: UploadResume;
}

export interface UploadResume {
  /** Byte offset in the upload's (decompressed) input to read from. */
  offset: number;
  /** Reader and incremental-accumulator state; opaque to callers. */
  state: unknown;
}

export interface Upload {
  write(chunk: Uint8Array): void;
  end(): UploadResult;
  checkpoint(): UploadCheckpoint;
}

export interface UploadOptions {
  /** Wall clock in epoch ms, read only for `last_data_time`. */
  now: () => number;
  limits: ReaderLimits;
  /** Continue an upload from a checkpoint instead of starting afresh. */
  resume?: UploadResume;
}
