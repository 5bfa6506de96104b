/**
 * The job checks that the operations on one job start with: the id is
 * well formed, the job exists, and for those that count data, it is open.
 */
import { jobNotFound, jobNotOpen } from '../errors.js';
import type { JobStore } from '../store/types.js';
import { type JobConfig, validateJobId } from './jobConfig.js';

/** The job's config; 400 for a malformed id, 404 for an unknown job. */
export async function requireJob(
  store: Pick<JobStore, 'getJob'>, jobId: string,
): Promise<JobConfig> {
  validateJobId(jobId);
  const job = await store.getJob(jobId);
  if (job === undefined) throw jobNotFound(jobId);
  return job;
}

/** 409 unless the job is open (spec 11.1's reason). */
export async function requireOpen(
  store: Pick<JobStore, 'getState'>, jobId: string,
): Promise<void> {
  const state = await store.getState(jobId);
  if (state?.status !== 'opened') throw jobNotOpen(jobId);
}
