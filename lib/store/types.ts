import type { CountingState } from '../counting/types.js';
import type { JobConfig } from '../jobs/jobConfig.js';

export type JobStatus = 'closed' | 'opened';

export interface Lease {
  owner: string;
  /** Epoch ms after which another writer may take the lease over. */
  expiresAt: number;
}

/** The `JOB#{id}` / `STATE` item. */
export interface JobStateItem {
  jobId: string;
  status: JobStatus;
  /** Bumped by every write; commits are conditional on it. */
  version: number;
  counting: CountingState;
  /** Epoch ms of the last open; null while closed. */
  openedAt: number | null;
  lease: Lease | null;
  /**
   * The S3 object being ingested and how far it got (lib/jobs'
   * IngestMarker); opaque to the store.
   */
  ingest: unknown | null;
  /**
   * A delete has begun. Its items go first and STATE last, so a crash
   * part-way leaves a job whose object records are gone: its objects in
   * the bucket must not be taken for new ones. Deleting it again ends it.
   */
  deleting?: true;
}

/** Fields a commit may replace; absent ones are left as they are. */
export type StateChanges = Partial<
  Pick<JobStateItem, 'status' | 'counting' | 'openedAt' | 'ingest'>
>;

export interface JobStore {
  /**
   * Writes the job's CONFIG and a closed STATE with `counting`. Throws
   * JobExistsError when the id is taken.
   */
  createJob(config: JobConfig, counting: CountingState): Promise<void>;
  getJob(jobId: string): Promise<JobConfig | undefined>;
  /** Every job, sorted by id. */
  listJobs(): Promise<JobConfig[]>;
  /** Consistent read of the STATE item; undefined for an unknown job. */
  getState(jobId: string): Promise<JobStateItem | undefined>;
  /**
   * Takes the job's writer lease when it is free or expired at `nowMs`, or
   * already held by `owner` (an ingestion's next turn), bumping the
   * version. Resolves to the state as of that write. Throws LeaseBusyError
   * (carrying the holder's expiry) when another writer holds it,
   * JobMissingError when the job does not exist.
   */
  acquireLease(
    jobId: string, owner: string, nowMs: number, ttlMs: number,
  ): Promise<JobStateItem>;
  /**
   * Writes `changes` on condition that `owner` holds the lease and the item
   * is still at `expectedVersion`; bumps the version. With `release` the
   * lease is dropped, otherwise renewed to `nowMs + ttlMs`. Throws
   * LeaseLostError when the condition fails.
   */
  commit(
    jobId: string,
    owner: string,
    expectedVersion: number,
    changes: StateChanges,
    options: { release: boolean; nowMs: number; ttlMs: number },
  ): Promise<JobStateItem>;
  /**
   * Drops the lease if `owner` still holds it (and, when given, the item is
   * still at `expectedVersion`); never throws for that.
   */
  releaseLease(
    jobId: string, owner: string, expectedVersion?: number,
  ): Promise<void>;
  /** Removes every item of the job. The caller holds the lease. */
  deleteJob(jobId: string, owner: string): Promise<void>;
}
