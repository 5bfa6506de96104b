import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { jobNotFound, MlError } from '../errors.js';
import { JobMissingError, LeaseBusyError, LeaseLostError } from
  '../store/errors.js';
import type { JobStateItem, JobStore, StateChanges } from '../store/types.js';

export interface LeaseDeps {
  store: JobStore;
  now: () => number;
  leaseWaitMs: number;
  leaseTtlMs: number;
}

/** A held writer lease: the state as of taking it, and its one commit. */
export interface HeldLease {
  readonly owner: string;
  readonly state: JobStateItem;
  /** Writes the changes and releases the lease, in one conditional write. */
  commit(changes: StateChanges): Promise<JobStateItem>;
  /** Writes the changes and keeps the lease, renewed (long ingestions). */
  checkpoint(changes: StateChanges): Promise<JobStateItem>;
}

const FIRST_RETRY_MS = 25;
const LONGEST_RETRY_MS = 400;

/**
 * Runs `work` as the job's single writer. Waits for a busy lease up to
 * `leaseWaitMs`, then answers 429 with `Retry-After`. The lease is released
 * however `work` ends; a commit inside `work` releases it in the same write.
 */
export async function withJobLease<T>(
  deps: LeaseDeps,
  jobId: string,
  work: (lease: HeldLease) => Promise<T>,
): Promise<T> {
  const owner = randomUUID();
  let state = await acquire(deps, jobId, owner);
  let released = false;

  const write = async (changes: StateChanges, release: boolean) => {
    try {
      state = await deps.store.commit(jobId, owner, state.version, changes,
        { release, nowMs: deps.now(), ttlMs: deps.leaseTtlMs });
    } catch (error) {
      if (error instanceof LeaseLostError) throw leaseLost(jobId);
      throw error;
    }
    released = release;
    return state;
  };

  const lease: HeldLease = {
    owner,
    get state() {
      return state;
    },
    commit: (changes) => write(changes, true),
    checkpoint: (changes) => write(changes, false),
  };

  try {
    return await work(lease);
  } finally {
    // A release that fails (throttled, cut off) must not hide what `work`
    // answered; the lease then simply expires after `leaseTtlMs`.
    if (!released) {
      await deps.store.releaseLease(jobId, owner).catch(() => undefined);
    }
  }
}

async function acquire(
  deps: LeaseDeps, jobId: string, owner: string,
): Promise<JobStateItem> {
  const taken = await waitForLease(deps, jobId, owner, deps.leaseTtlMs);
  if (taken.kind === 'missing') throw jobNotFound(jobId);
  if (taken.kind === 'busy') throw jobBusy(jobId, taken.leaseLeftMs);
  return taken.state;
}

export type LeaseWait =
  | { kind: 'held'; state: JobStateItem }
  | { kind: 'busy'; leaseLeftMs: number }
  | { kind: 'missing' };

/**
 * Takes the job's lease for `ttlMs`, waiting while another writer holds
 * it, up to `leaseWaitMs`, with jittered pauses that double from 25 ms to
 * 400 ms so that waiting writers do not retry in step.
 */
export async function waitForLease(
  deps: Pick<LeaseDeps, 'store' | 'now' | 'leaseWaitMs'>,
  jobId: string, owner: string, ttlMs: number,
): Promise<LeaseWait> {
  const deadline = deps.now() + deps.leaseWaitMs;
  let pause = FIRST_RETRY_MS;
  for (;;) {
    try {
      const state = await deps.store.acquireLease(jobId, owner, deps.now(),
        ttlMs);
      return { kind: 'held', state };
    } catch (error) {
      if (error instanceof JobMissingError) return { kind: 'missing' };
      if (!(error instanceof LeaseBusyError)) throw error;
      const now = deps.now();
      if (now >= deadline) {
        return { kind: 'busy', leaseLeftMs: error.expiresAt - now };
      }
      await sleep(Math.min(pause, deadline - now) * (0.5 + Math.random()));
      pause = Math.min(pause * 2, LONGEST_RETRY_MS);
    }
  }
}

function jobBusy(jobId: string, leaseLeftMs: number): MlError {
  // The holder usually finishes well before its lease would expire; a short
  // hint keeps clients from waiting out a whole lease for nothing.
  const retryAfterS = Math.min(Math.max(Math.ceil(leaseLeftMs / 1000), 1), 5);
  return new MlError(429, 'status_exception',
    `job [${jobId}] is busy with another upload or operation; ` +
    `retry after ${retryAfterS}s`,
    { headers: { 'Retry-After': String(retryAfterS) } });
}

function leaseLost(jobId: string): MlError {
  return new MlError(409, 'status_exception',
    `job [${jobId}] changed hands while this operation ran (its writer ` +
    'lease expired); nothing of it was saved, so it can be sent again');
}
