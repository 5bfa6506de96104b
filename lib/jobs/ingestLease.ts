/**
 * The job's writer lease as an S3 object's ingestion holds it. Unlike
 * withJobLease it is not released when a turn stops or fails part-way:
 * it stays held, renewed for the hold time at every commit, under an owner
 * id derived from the object, until the object's own next turn takes it
 * back. HTTP uploads and other objects wait meanwhile or get 429.
 */
import type { JobStateItem, JobStore, StateChanges } from '../store/types.js';
import { waitForLease } from './jobLease.js';

export interface IngestLeaseDeps {
  store: JobStore;
  now: () => number;
  /** How long to wait for a busy job before giving the turn up. */
  leaseWaitMs: number;
  /** Lease time before the first commit (nothing to resume yet). */
  leaseTtlMs: number;
  /** Lease time after each commit (see IngestSettings.holdMs). */
  holdMs: number;
}

export interface IngestLease {
  readonly state: JobStateItem;
  /** Commits and keeps the lease for the hold time. */
  checkpoint(changes: StateChanges): Promise<JobStateItem>;
  /** Commits and releases the lease. */
  commit(changes: StateChanges): Promise<JobStateItem>;
  /** Drops the lease without writing; for a turn that changed nothing. */
  release(): Promise<void>;
}

/**
 * 'busy' when the job stayed busy, 'missing' when it does not exist. A
 * turn that resumes an object takes the lease for the hold time at once.
 */
export async function takeIngestLease(
  deps: IngestLeaseDeps, jobId: string, owner: string, resuming = false,
): Promise<IngestLease | 'busy' | 'missing'> {
  const taken = await waitForLease(deps, jobId, owner,
    resuming ? deps.holdMs : deps.leaseTtlMs);
  if (taken.kind !== 'held') return taken.kind;
  let { state } = taken;

  const write = async (changes: StateChanges, release: boolean) => {
    state = await deps.store.commit(jobId, owner, state.version, changes,
      { release, nowMs: deps.now(), ttlMs: deps.holdMs });
    return state;
  };
  return {
    get state() {
      return state;
    },
    checkpoint: (changes) => write(changes, false),
    commit: (changes) => write(changes, true),
    release: () => deps.store.releaseLease(jobId, owner, state.version),
  };
}
