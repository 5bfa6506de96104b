/**
 * A job's counting state through open, uploads, flush and close (spec §2.4,
 * §3, §7.5-§7.6, §8.3-§8.4). Every function returns new state and leaves
 * the given one untouched, so a failed upload changes nothing.
 */
import {
  addRecord, clearCounters, copyDiagnostics, createDiagnostics, flushAll,
  foldInto,
} from './bucketDiagnostics.js';
import { emptyDataCounts } from './dataCounts.js';
import { createDelimitedRecordReader } from './delimitedReader.js';
import { advanceEngineClock, skipEngineClock } from './engineClock.js';
import { analysedFieldCount } from './inputFields.js';
import { wholeSeconds } from './outOfOrder.js';
import { createJsonRecordReader } from './recordReader.js';
import { createTimeParser } from './timeParser.js';
import type {
  CountingConfig, CountingState, DataCounts, DiagnosticsState,
  ReaderCheckpoint, RecordReader, RecordSink, Upload, UploadOptions,
} from './types.js';
import { UploadCounter } from './uploadCounter.js';

/** Zero totals, no session, no engine clock: a job just created. */
export function initialCountingState(): CountingState {
  return {
    totals: emptyDataCounts(),
    analysedFieldCount: 1,
    diagnostics: null,
    lastFinalizedBucketEndSec: null,
  };
}

/** Job open: a new diagnostics window seeded per spec §7.5; `A` = 1. */
export function openSession(
  config: CountingConfig, state: CountingState,
): CountingState {
  return {
    ...copyState(state),
    analysedFieldCount: 1,
    diagnostics: seededDiagnostics(config, state.totals),
  };
}

/** Job close: the session's diagnostics are discarded (spec §8.3). */
export function closeSession(state: CountingState): CountingState {
  return { ...copyState(state), diagnostics: null };
}

/**
 * The window of a new session, holding one phantom record at the job's
 * latest record time so that its bucket, never finalized in the previous
 * session, and any gap after it are counted (spec §7.5).
 */
function seededDiagnostics(
  config: CountingConfig, totals: DataCounts,
): DiagnosticsState {
  const diagnostics = createDiagnostics(config.bucketSpanMs, config.latencyMs);
  if (totals.latestRecordTimestamp !== null) {
    addRecord(diagnostics, config.bucketSpanMs, totals.latestRecordTimestamp);
  }
  return diagnostics;
}

function copyState(state: CountingState): CountingState {
  return {
    totals: { ...state.totals },
    analysedFieldCount: state.analysedFieldCount,
    diagnostics: state.diagnostics && copyDiagnostics(state.diagnostics),
    lastFinalizedBucketEndSec: state.lastFinalizedBucketEndSec,
  };
}

/** What `UploadResume.state` holds; opaque to callers. */
interface ResumeState {
  reader: ReaderCheckpoint;
  incremental: DataCounts;
  latestThisUploadMs: number;
  /** The clock of the upload's start, so a resumed upload keeps its year. */
  startedAtMs: number;
}

/** One upload over the job's state; the input state is never mutated. */
export function startUpload(
  config: CountingConfig, state: CountingState, options: UploadOptions,
): Upload {
  const work = copyState(state);
  // A job layer that uploads without opening still gets a consistent
  // window: the one that opening would have made.
  const diagnostics = work.diagnostics
    ?? seededDiagnostics(config, work.totals);
  work.diagnostics = diagnostics;
  work.analysedFieldCount = analysedFieldCount(config.inputFields);

  const resumed = options.resume?.state as ResumeState | undefined;
  const startOffset = options.resume?.offset ?? 0;
  const startedAtMs = resumed?.startedAtMs ?? options.now();
  const incremental = resumed ? { ...resumed.incremental } : emptyDataCounts();
  foldDiagnostics(diagnostics, work.totals, incremental);

  const fieldPaths = config.inputFields.includes(config.timeField)
    ? config.inputFields : [...config.inputFields, config.timeField];
  const counter = new UploadCounter(config, work, incremental,
    createTimeParser(config.timeFormat, { nowMs: startedAtMs }), fieldPaths,
    resumed?.latestThisUploadMs ?? 0);
  const reader = createReader(config, fieldPaths, counter, options,
    resumed?.reader);
  let bytesFed = 0;
  let ended = false;

  return {
    write(chunk) {
      if (ended) throw new Error('write after the upload ended');
      bytesFed += chunk.byteLength;
      reader.write(chunk);
    },

    end() {
      if (ended) throw new Error('the upload has already ended');
      ended = true;
      reader.end();

      work.totals.inputBytes += bytesFed;
      incremental.inputBytes += bytesFed;
      const now = options.now();
      work.totals.lastDataTime = now;
      incremental.lastDataTime = now;
      work.totals.logTime = now;
      flushAll(diagnostics, config.bucketSpanMs);
      foldDiagnostics(diagnostics, work.totals, incremental);
      return { counts: incremental, state: work };
    },

    checkpoint() {
      const readerCheckpoint = reader.checkpoint();
      const counted = readerCheckpoint.offset - startOffset;
      const snapshot = copyState(work);
      snapshot.totals.inputBytes += counted;
      const resume: ResumeState = {
        reader: readerCheckpoint,
        incremental: {
          ...incremental, inputBytes: incremental.inputBytes + counted,
        },
        latestThisUploadMs: counter.latestThisUploadMs,
        startedAtMs,
      };
      return {
        state: snapshot,
        counts: { ...resume.incremental },
        resume: { offset: readerCheckpoint.offset, state: resume },
      };
    },
  };
}

function createReader(
  config: CountingConfig,
  fieldPaths: readonly string[],
  sink: RecordSink,
  options: UploadOptions,
  resume: ReaderCheckpoint | undefined,
): RecordReader {
  if (config.format === 'delimited') {
    return createDelimitedRecordReader(fieldPaths, sink, {
      limits: options.limits,
      fieldDelimiter: config.fieldDelimiter,
      quoteCharacter: config.quoteCharacter,
      resume,
    });
  }
  return createJsonRecordReader(fieldPaths, sink,
    { limits: options.limits, resume });
}

/** Spec §7.6: the session counters go into both accumulators, once. */
function foldDiagnostics(
  diagnostics: DiagnosticsState, totals: DataCounts, incremental: DataCounts,
): void {
  foldInto(diagnostics, totals);
  foldInto(diagnostics, incremental);
  clearCounters(diagnostics);
}

/**
 * Flush (spec §8.4): applies `skip_time` then `advance_time` (seconds) to the
 * engine clock and reports `last_finalized_bucket_end` in ms, or null when
 * no data was ever seen. Elasticsearch also leaves the value out when the
 * engine reports 0, so a clock at exactly the epoch is reported as null.
 */
export function flushEngine(
  config: CountingConfig,
  state: CountingState,
  params: { advanceTimeSec?: number; skipTimeSec?: number },
): { state: CountingState; lastFinalizedBucketEndMs: number | null } {
  const next = copyState(state);
  const spanSec = wholeSeconds(config.bucketSpanMs);

  if (params.skipTimeSec !== undefined) {
    next.lastFinalizedBucketEndSec = skipEngineClock(params.skipTimeSec,
      spanSec);
  }
  if (params.advanceTimeSec !== undefined) {
    next.lastFinalizedBucketEndSec = advanceEngineClock(
      next.lastFinalizedBucketEndSec, params.advanceTimeSec, spanSec,
      wholeSeconds(config.latencyMs));
  }

  const endSec = next.lastFinalizedBucketEndSec;
  return {
    state: next,
    lastFinalizedBucketEndMs: endSec === null || endSec === 0
      ? null : endSec * 1000,
  };
}
