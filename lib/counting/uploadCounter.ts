/**
 * The per-record rules of one upload (spec §3.3): missing fields, time
 * parsing, the out-of-order rule, acceptance, bucket diagnostics and the
 * engine clock. Everything that does not depend on the record is decided
 * in the constructor; `record` only does arithmetic on plain numbers.
 */
import { latin1Text } from './asciiBytes.js';
import { addRecord } from './bucketDiagnostics.js';
import { advanceEngineClock } from './engineClock.js';
import { ValueKind, type RecordSpans, type SpanSink } from './recordSpans.js';
import { outOfOrderThresholdSec, wholeSeconds } from './outOfOrder.js';
import {
  createByteTimeParser, MAX_MILLIS_DIGITS, MAX_SECONDS_DIGITS, plainInteger,
  type ByteTimeParser,
} from './timeBytes.js';
import type { TimeParser } from './timeParser.js';
import type {
  CountingConfig, CountingState, DataCounts, DiagnosticsState, RecordSink,
} from './types.js';

export class UploadCounter implements RecordSink, SpanSink {
  private readonly totals: DataCounts;
  private readonly diagnostics: DiagnosticsState;
  private readonly bucketSpanMs: number;
  private readonly latencyMs: number;
  private readonly bucketSpanSec: number;
  private readonly latencySec: number;
  private readonly timeIndex: number;
  private readonly fieldCount: number;
  private readonly parseTimeBytes: ByteTimeParser;
  /**
   * For `epoch` and `epoch_ms`, the digits a number may have to be read
   * here (0 otherwise) and its unit in ms: the same reading as
   * parseTimeBytes, without the call through a closure for each record.
   */
  private readonly epochDigits: number;
  private readonly epochUnitMs: number;
  /** The time of a record without one (or with null): always invalid. */
  private readonly absentTime: number | null;
  /** Job-wide latest accepted time L in ms (0 before any record). */
  private latestMs: number;
  /** Whole seconds below which a record is out of order, from L. */
  private thresholdSec: number;

  /**
   * @param state the upload's private copy of the job state, updated in
   *   place; its diagnostics must be set.
   * @param incremental this upload's accumulator, updated in place.
   * @param latestThisUploadMs `Lthis` of spec §3.3 (0 at upload start).
   */
  constructor(
    config: CountingConfig,
    private readonly state: CountingState,
    readonly incremental: DataCounts,
    private readonly parseTime: TimeParser,
    fieldPaths: readonly string[],
    public latestThisUploadMs: number,
  ) {
    if (state.diagnostics === null) {
      throw new Error('an upload needs the diagnostics of an open session');
    }
    this.totals = state.totals;
    this.diagnostics = state.diagnostics;
    this.bucketSpanMs = config.bucketSpanMs;
    this.latencyMs = config.latencyMs;
    this.bucketSpanSec = wholeSeconds(config.bucketSpanMs);
    this.latencySec = wholeSeconds(config.latencyMs);
    this.timeIndex = fieldPaths.indexOf(config.timeField);
    this.fieldCount = fieldPaths.length;
    this.parseTimeBytes = createByteTimeParser(config.timeFormat, parseTime);
    const seconds = config.timeFormat === 'epoch';
    const millis = config.timeFormat === 'epoch_ms';
    this.epochDigits = seconds ? MAX_SECONDS_DIGITS
      : millis ? MAX_MILLIS_DIGITS : 0;
    this.epochUnitMs = seconds ? 1000 : 1;
    this.absentTime = parseTime('');
    this.latestMs = state.totals.latestRecordTimestamp ?? 0;
    this.thresholdSec = outOfOrderThresholdSec(this.latestMs,
      this.bucketSpanMs, this.latencyMs);
  }

  record(leafCount: number, values: ReadonlyArray<string | undefined>): void {
    let missing = 0;
    for (let i = 0; i < this.fieldCount; i += 1) {
      if (values[i] === undefined) missing += 1;
    }
    const time = this.parseTime(values[this.timeIndex] ?? '');
    this.count(leafCount, missing, time);
  }

  /** As `record`, with the values as byte ranges from the fast path. */
  recordSpans(leafCount: number, spans: RecordSpans): void {
    const i = this.timeIndex;
    const kind = spans.kinds[i];
    if (kind === ValueKind.NUMBER && this.epochDigits > 0) {
      const value = plainInteger(spans.bytes, spans.starts[i], spans.ends[i],
        this.epochDigits);
      if (value !== undefined) {
        this.count(leafCount, this.fieldCount - spans.presentCount,
          value * this.epochUnitMs);
        return;
      }
    }
    let time: number | null;
    if (kind === ValueKind.STRING || kind === ValueKind.NUMBER) {
      const { bytes } = spans;
      const start = spans.starts[i];
      const end = spans.ends[i];
      const fromBytes = this.parseTimeBytes(bytes, start, end);
      time = fromBytes !== undefined ? fromBytes
        : this.parseTime(latin1Text(bytes, start, end));
    } else if (kind === ValueKind.TRUE || kind === ValueKind.FALSE) {
      time = this.parseTime(kind === ValueKind.TRUE ? 'true' : 'false');
    } else {
      time = this.absentTime;
    }
    this.count(leafCount, this.fieldCount - spans.presentCount, time);
  }

  private count(leafCount: number, missing: number, time: number | null):
    void {
    const totals = this.totals;
    const incremental = this.incremental;
    // The time field is not an input of the analysis, so one leaf is taken
    // off every record, even one that has no time field (spec §6.4).
    const fieldCount = leafCount > 0 ? leafCount - 1 : 0;

    if (missing > 0) {
      totals.missingFieldCount += missing;
      incremental.missingFieldCount += missing;
    }
    totals.inputFieldCount += fieldCount;
    incremental.inputFieldCount += fieldCount;

    if (time === null) {
      totals.invalidDateCount += 1;
      incremental.invalidDateCount += 1;
      return;
    }

    if (wholeSeconds(time) < this.thresholdSec) {
      totals.outOfOrderTimestampCount += 1;
      incremental.outOfOrderTimestampCount += 1;
      // Only the upload's own latest moves, and only upwards (spec §3.4).
      if (time > this.latestThisUploadMs) {
        this.latestThisUploadMs = time;
        incremental.latestRecordTimestamp = time;
      }
      return;
    }

    this.accept(time);
  }

  private accept(time: number): void {
    const totals = this.totals;
    const incremental = this.incremental;
    if (time > this.latestMs) {
      this.latestMs = time;
      this.thresholdSec = outOfOrderThresholdSec(time, this.bucketSpanMs,
        this.latencyMs);
    }
    this.latestThisUploadMs = this.latestMs;

    totals.processedRecordCount += 1;
    incremental.processedRecordCount += 1;
    // Stored only when it changes: these fields start as null, so every
    // store of a time would box a fresh number.
    if (totals.latestRecordTimestamp !== this.latestMs) {
      totals.latestRecordTimestamp = this.latestMs;
    }
    if (incremental.latestRecordTimestamp !== this.latestMs) {
      incremental.latestRecordTimestamp = this.latestMs;
    }
    if (totals.earliestRecordTimestamp === null) {
      totals.earliestRecordTimestamp = time;
      incremental.earliestRecordTimestamp = time;
    }

    addRecord(this.diagnostics, this.bucketSpanMs, time);
    this.state.lastFinalizedBucketEndSec = advanceEngineClock(
      this.state.lastFinalizedBucketEndSec, wholeSeconds(time),
      this.bucketSpanSec, this.latencySec);
  }
}
