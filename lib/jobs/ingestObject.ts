/**
 * One turn of an S3 object's ingestion: counts it exactly as one upload of
 * its records would, in chunks, committing the job state and the point
 * reached in one conditional write after each chunk, so that a turn cut
 * short by a deadline or a crash is resumed by the next delivery of the
 * object's event without counting anything twice.
 *
 * Ending an object takes three writes, each safe to repeat: commit the
 * final counts with the outcome kept in the marker, write the object
 * record, clear the marker. A turn that finds an outcome in the marker
 * only does the remaining two.
 */
import {
  CountingError, emptyDataCounts, startUpload,
} from '../counting/index.js';
import type { Config } from '../config.js';
import { jobNotFound, jobNotOpen } from '../errors.js';
import { LeaseLostError } from '../store/errors.js';
import type { ObjectRecord, ObjectRecords } from '../store/objectRecords.js';
import { ObjectChangedError, type ObjectStore } from '../store/objects.js';
import type { JobStateItem, JobStore } from '../store/types.js';
import { toCountingConfig, type JobConfig } from './jobConfig.js';
import {
  type IngestMarker, type IngestSettings, type ObjectOutcome,
  finishedRecord, isIngestMarker,
} from './ingestMarker.js';
import { type IngestLease, takeIngestLease } from './ingestLease.js';
import { feedGzipObject, feedPlainObject } from './objectChunks.js';
import { ingestOwnerOf, isGzipKey, jobIdOfKey } from './objectKeys.js';
import {
  type CountingUpload, inlineUpload, startCountingThread,
} from './countingThread.js';

export interface IngestDeps {
  store: JobStore;
  records: ObjectRecords;
  objects: ObjectStore;
  config: Pick<Config, 'readerLimits' | 'leaseWaitMs' | 'leaseTtlMs'>;
  settings: IngestSettings;
  /** Wall clock, epoch ms. */
  now: () => number;
}

/** An object-created event, the key already decoded. */
export interface ObjectEvent {
  key: string;
  /** Absent in some events (S3 copies); then the current ETag is used. */
  etag?: string;
  receivedAt?: number;
}

/** The time a turn has, as the Lambda context tells it. */
export interface IngestTurn {
  remainingMs(): number;
  /**
   * True once the process is asked to stop (the local server on Ctrl-C):
   * the turn then stops at its next commit, as at a deadline, but without
   * taking it for one (a gzip object still skipping is not failed).
   */
  stopRequested?(): boolean;
}

export type IngestOutcome =
  | { kind: 'done'; record: ObjectRecord }
  | { kind: 'failed'; record: ObjectRecord }
  | { kind: 'duplicate' }
  | { kind: 'ignored'; reason: string }
  /** Stopped at a commit; the next delivery goes on from there. */
  | { kind: 'paused'; bytesDone: number }
  /**
   * Another writer held the job, or took it over part-way (a second
   * delivery of the same event, running at the same time); nothing of
   * this turn was saved.
   */
  | { kind: 'busy' };

/** Outcomes after which the event's message must come back. */
export const needsRedelivery = (outcome: IngestOutcome): boolean =>
  outcome.kind === 'paused' || outcome.kind === 'busy';

export async function ingestObject(
  deps: IngestDeps,
  event: ObjectEvent,
  turn: IngestTurn,
): Promise<IngestOutcome> {
  const { key } = event;
  const jobId = jobIdOfKey(key);
  if (jobId === undefined) return { kind: 'ignored', reason: 'not a job key' };
  const head = await deps.objects.head(key);
  const etag = event.etag ?? head?.etag;
  if (etag === undefined) {
    return { kind: 'ignored', reason: 'the object no longer exists' };
  }

  const before = await deps.store.getState(jobId);
  const resuming = markerOf(before)?.key === key
    && markerOf(before)?.etag === etag;
  if (!resuming && isFinal(await deps.records.get(jobId, key, etag))) {
    return { kind: 'duplicate' };
  }

  const base = queuedRecord(jobId, key, etag, head?.sizeBytes ?? 0,
    event.receivedAt ?? deps.now());
  // Nothing is recorded for a job that does not exist: `_uploads` could
  // not show it, and a job made later under that id must not inherit it.
  const job = await deps.store.getJob(jobId);
  if (job === undefined) return unknownJob(jobId);
  if (!resuming) await deps.records.noteQueued(base);

  // A resumed object takes the job back for the whole hold at once: if
  // this turn fails before its first commit, its next delivery must still
  // find the job kept for it rather than taken by another object.
  const owner = ingestOwnerOf(key, etag);
  const lease = await takeIngestLease({
    ...deps.config, store: deps.store, now: deps.now,
    holdMs: deps.settings.holdMs,
  }, jobId, owner, resuming);
  if (lease === 'busy') return { kind: 'busy' };
  if (lease === 'missing') return unknownJob(jobId);

  const turnRun = new ObjectTurn(deps, job, lease, base, owner, turn);
  try {
    return await turnRun.run(head);
  } catch (error) {
    if (error instanceof LeaseLostError) return { kind: 'busy' };
    throw error;
  }
}

function queuedRecord(
  jobId: string, key: string, etag: string, sizeBytes: number,
  receivedAt: number,
): ObjectRecord {
  return {
    jobId, key, etag, state: 'queued', bytesTotal: sizeBytes, bytesDone: 0,
    counts: null, error: null, receivedAt, startedAt: null, endedAt: null,
  };
}

/**
 * Records an object `queued` as soon as its event arrives, for a queue
 * that holds it back while another object of its job is ingested (the
 * local one: in AWS its message is received, finds the job busy and is
 * recorded then). Nothing for a job that does not exist, nor over a
 * record the object has already.
 */
export async function noteObjectQueued(
  deps: Pick<IngestDeps, 'store' | 'records' | 'now'>,
  event: ObjectEvent & { sizeBytes: number },
): Promise<void> {
  const jobId = jobIdOfKey(event.key);
  if (jobId === undefined || event.etag === undefined) return;
  if (await deps.store.getJob(jobId) === undefined) return;
  await deps.records.noteQueued(queuedRecord(jobId, event.key, event.etag,
    event.sizeBytes, event.receivedAt ?? deps.now()));
}

function unknownJob(jobId: string): IngestOutcome {
  return { kind: 'ignored', reason: jobNotFound(jobId).message };
}

/** How often a turn that is only skipping bytes looks at its clock. */
const TIME_CHECK_MS = 1000;

class ObjectTurn {
  private marker: IngestMarker | null = null;
  private lastTimeCheckMs = performance.now();

  constructor(
    private readonly deps: IngestDeps,
    private readonly job: JobConfig,
    private readonly lease: IngestLease,
    private readonly base: ObjectRecord,
    private readonly owner: string,
    private readonly turn: IngestTurn,
  ) {}

  async run(head: { sizeBytes: number; etag: string } | undefined):
    Promise<IngestOutcome> {
    const { base } = this;
    let found = markerOf(this.lease.state);
    if (found !== null && !this.isOurs(found)) {
      // Another object's turn stopped and its hold ran out without it
      // coming back (its message went to the dead-letter queue).
      await this.abandon(found);
      found = null;
    }
    if (found?.outcome) return this.finish(found, found.outcome);

    if (found === null) {
      const record = await this.deps.records.get(base.jobId, base.key,
        base.etag);
      if (isFinal(record)) {
        await this.lease.release();
        return { kind: 'duplicate' };
      }
    }
    const refusal = this.refusal(head);
    if (refusal !== undefined) {
      const marker = found ?? this.newMarker();
      return this.end(marker, 'failed', marker.counts, refusal);
    }

    this.marker = found ?? this.newMarker();
    try {
      return await this.feed(head?.sizeBytes ?? 0);
    } catch (error) {
      const reason = objectFault(error);
      if (reason !== undefined && this.marker !== null) {
        return this.end(this.marker, 'failed', this.marker.counts, reason);
      }
      // Nothing was committed for this object yet: let others in.
      if (found === null && this.marker?.resume === null) {
        await this.lease.release();
      }
      throw error;
    }
  }

  private isOurs(marker: IngestMarker): boolean {
    return marker.key === this.base.key && marker.etag === this.base.etag;
  }

  /** Why the object cannot be (or go on being) counted, if it cannot. */
  private refusal(
    head: { sizeBytes: number; etag: string } | undefined,
  ): string | undefined {
    const { jobId, key, etag } = this.base;
    if (this.lease.state.status !== 'opened') {
      return jobNotOpen(jobId).message;
    }
    if (head === undefined) return `object [${key}] no longer exists`;
    if (head.etag !== etag) return new ObjectChangedError(key, etag).message;
    return undefined;
  }

  private newMarker(): IngestMarker {
    const { base } = this;
    return {
      key: base.key, etag: base.etag, owner: this.owner,
      bytesTotal: base.bytesTotal, bytesDone: 0, resume: null,
      counts: emptyDataCounts(),
      receivedAt: base.receivedAt, startedAt: this.deps.now(),
      outcome: null,
    };
  }

  private async feed(sizeBytes: number): Promise<IngestOutcome> {
    const start = this.marker as IngestMarker;
    const upload = this.startCounting(sizeBytes, start.resume);
    try {
      return await this.feedTo(upload, sizeBytes);
    } finally {
      await upload.close();
    }
  }

  /**
   * On a thread of its own when that is set, the object takes more than
   * one chunk (a smaller one is counted in less time than a new thread
   * takes to load) and a core is free for it.
   */
  private startCounting(
    sizeBytes: number, resume: IngestMarker['resume'],
  ): CountingUpload {
    const { deps } = this;
    const counting = toCountingConfig(this.job);
    const options = {
      now: deps.now, limits: deps.config.readerLimits,
      resume: resume ?? undefined,
    };
    const state = this.lease.state.counting;
    const threaded = deps.settings.countingThread
      && sizeBytes > deps.settings.chunkBytes
      ? startCountingThread(counting, state, options) : undefined;
    return threaded ?? inlineUpload(startUpload(counting, state, options));
  }

  private async feedTo(
    upload: CountingUpload, sizeBytes: number,
  ): Promise<IngestOutcome> {
    const { deps } = this;
    const start = this.marker as IngestMarker;
    // An empty object is empty input, whatever its name says.
    const gzip = isGzipKey(this.base.key) && sizeBytes > 0;

    const startOffset = start.resume?.offset ?? 0;
    let committedOffset = startOffset;
    const afterChunk = async (bytesRead: number) => {
      const point = await upload.checkpoint();
      // A chunk inside one long record moves nothing forward: no write.
      // And a turn stops only past where it began, or a record longer
      // than a turn's worth of chunks would be started over for ever.
      if (point.resume.offset === committedOffset) return true;
      committedOffset = point.resume.offset;
      const marker: IngestMarker = {
        ...(this.marker as IngestMarker),
        resume: point.resume,
        bytesDone: gzip ? bytesRead : point.resume.offset,
        counts: point.counts,
      };
      await this.lease.checkpoint({ counting: point.state, ingest: marker });
      this.marker = marker;
      return this.turn.remainingMs() >= deps.settings.marginMs
        && !this.turn.stopRequested?.();
    };

    const feedObject = gzip ? feedGzipObject : feedPlainObject;
    const whole = await feedObject({
      objects: deps.objects, key: start.key, etag: start.etag, sizeBytes,
      chunkBytes: deps.settings.chunkBytes,
      resumeOffset: start.resume?.offset ?? 0, upload, afterChunk,
      inTime: () => this.inTime(),
    });
    const marker = this.marker as IngestMarker;
    if (!whole) return { kind: 'paused', bytesDone: marker.bytesDone };

    // Diagnostics are flushed here, once per object.
    const result = await upload.end();
    return this.end(marker, 'done', result.counts, null, result.state);
  }

  /** The turn's time left, read at most once a second. */
  private inTime(): boolean {
    const nowMs = performance.now();
    if (nowMs - this.lastTimeCheckMs < TIME_CHECK_MS) return true;
    this.lastTimeCheckMs = nowMs;
    return this.turn.remainingMs() >= this.deps.settings.marginMs;
  }

  /** Step 1 of ending: the final counts and the outcome, one write. */
  private async end(
    marker: IngestMarker, state: ObjectOutcome['state'],
    counts: ObjectOutcome['counts'], error: string | null,
    counting?: JobStateItem['counting'],
  ): Promise<IngestOutcome> {
    const outcome = { state, counts, error, endedAt: this.deps.now() };
    const ended = { ...marker, outcome };
    await this.lease.checkpoint({ counting, ingest: ended });
    return this.finish(ended, outcome);
  }

  /** Steps 2 and 3: the object record, then the marker cleared. */
  private async finish(
    marker: IngestMarker, outcome: ObjectOutcome,
  ): Promise<IngestOutcome> {
    const record = finishedRecord(this.base.jobId, marker, outcome);
    await this.deps.records.finish(record);
    await this.lease.commit({ ingest: null });
    return { kind: outcome.state, record };
  }

  private async abandon(stale: IngestMarker): Promise<void> {
    const outcome: ObjectOutcome = stale.outcome ?? {
      state: 'failed', counts: stale.counts, endedAt: this.deps.now(),
      error: 'its ingestion stopped part-way and did not resume in time; '
        + 'the counts committed before it stopped stay',
    };
    await this.deps.records.finish(
      finishedRecord(this.base.jobId, stale, outcome));
  }
}

function markerOf(state: JobStateItem | undefined): IngestMarker | null {
  const ingest = state?.ingest;
  return isIngestMarker(ingest) ? ingest : null;
}

const isFinal = (record: ObjectRecord | undefined): boolean =>
  record?.state === 'done' || record?.state === 'failed';

/** A fault of the object itself, recorded rather than retried. */
function objectFault(error: unknown): string | undefined {
  if (error instanceof CountingError || error instanceof ObjectChangedError) {
    return storedReason(error.message);
  }
  return undefined;
}

/**
 * A reason as the object's record keeps it. The core's reasons may quote
 * the data (a CSV header of any length names its columns), and the
 * record, the marker and the job's state share DynamoDB's 400 KB item.
 */
const MAX_REASON_CHARS = 1000;

function storedReason(reason: string): string {
  if (reason.length <= MAX_REASON_CHARS) return reason;
  return `${reason.slice(0, MAX_REASON_CHARS - 1)}…`;
}
