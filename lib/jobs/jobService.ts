import {
  analysedFieldCount, closeSession, flushEngine, initialCountingState,
  openSession, renderDataCounts, renderTime, startUpload,
} from '../counting/index.js';
import type { Config } from '../config.js';
import { jobNotOpen, MlError } from '../errors.js';
import { JobExistsError } from '../store/errors.js';
import type { JobStore } from '../store/types.js';
import {
  parseJobConfig, toCountingConfig, withoutGenerated,
} from './jobConfig.js';
import { resolveJobIds } from './jobIds.js';
import { withJobLease, type LeaseDeps } from './jobLease.js';
import { requireJob, requireOpen } from './jobLookup.js';
import { renderJobStats } from './jobStats.js';
import { parseFlushParams, parseResetRange } from './timeRange.js';
import type { JobService } from './types.js';

export interface JobServiceDeps {
  store: JobStore;
  config: Config;
  /** Wall clock, epoch ms. */
  now: () => number;
}

/** The node id reported by open; there is one logical node. */
const NODE_ID = 'ml-intake';

export function createJobService(deps: JobServiceDeps): JobService {
  const { store, config, now } = deps;
  const leaseDeps: LeaseDeps = {
    store, now,
    leaseWaitMs: config.leaseWaitMs,
    leaseTtlMs: config.leaseTtlMs,
  };

  return {
    async putJob(jobId, body) {
      const job = parseJobConfig(jobId, body, now());
      try {
        await store.createJob(job, initialCountingState());
      } catch (error) {
        if (error instanceof JobExistsError) throw jobExists(jobId);
        throw error;
      }
      return job;
    },

    async getJobs(expression, options) {
      const jobs = resolveJobIds(expression, await store.listJobs(),
        options.allowNoMatch);
      return {
        count: jobs.length,
        jobs: options.excludeGenerated ? jobs.map(withoutGenerated) : jobs,
      };
    },

    async openJob(jobId) {
      const job = await requireJob(store, jobId);
      return withJobLease(leaseDeps, jobId, async (lease) => {
        if (lease.state.status === 'opened') {
          throw new MlError(409, 'status_exception',
            `Cannot open job [${jobId}] because it has already been opened`);
        }
        await lease.commit({
          status: 'opened',
          openedAt: now(),
          counting: openSession(toCountingConfig(job), lease.state.counting),
        });
        return { opened: true, node: NODE_ID };
      });
    },

    async closeJob(expression, options) {
      const jobs = resolveJobIds(expression, await store.listJobs(),
        options.allowNoMatch);
      for (const job of jobs) {
        await withJobLease(leaseDeps, job.job_id, async (lease) => {
          if (lease.state.status === 'closed') return;
          await lease.commit({
            status: 'closed',
            openedAt: null,
            counting: closeSession(lease.state.counting),
          });
        });
      }
      return { closed: true };
    },

    async flushJob(jobId, params, options) {
      const job = await requireJob(store, jobId);
      await requireOpen(store, jobId);
      const flush = parseFlushParams(params, now());

      return withJobLease(leaseDeps, jobId, async (lease) => {
        if (lease.state.status !== 'opened') throw jobNotOpen(jobId);
        const flushed = flushEngine(toCountingConfig(job),
          lease.state.counting, flush);
        await lease.commit({ counting: flushed.state });
        return renderFlush(flushed.lastFinalizedBucketEndMs, options.human);
      });
    },

    async getStats(expression, options) {
      const jobs = resolveJobIds(expression, await store.listJobs(),
        options.allowNoMatch);
      const entries = [];
      for (const job of jobs) {
        const state = await store.getState(job.job_id);
        if (state === undefined) continue;
        entries.push(renderJobStats(job, state,
          { human: options.human, nowMs: now() }));
      }
      return { count: entries.length, jobs: entries };
    },

    async deleteJob(jobId, options) {
      await requireJob(store, jobId);
      return withJobLease(leaseDeps, jobId, async (lease) => {
        if (lease.state.status === 'opened' && !options.force) {
          throw new MlError(409, 'status_exception',
            `Cannot delete job [${jobId}] because the job is opened`);
        }
        await store.deleteJob(jobId, lease.owner);
        return { acknowledged: true };
      });
    },

    async postData(jobId, body, options) {
      const job = await requireJob(store, jobId);
      await requireOpen(store, jobId);
      // Validated, then ignored: there is no analytics engine whose buckets
      // a reset would discard, and a reset changes no data counts (§1.2.3).
      parseResetRange(options.reset, now());
      const counting = toCountingConfig(job);

      return withJobLease(leaseDeps, jobId, async (lease) => {
        if (lease.state.status !== 'opened') throw jobNotOpen(jobId);
        const upload = startUpload(counting, lease.state.counting,
          { now, limits: config.readerLimits });
        for await (const chunk of body) upload.write(chunk);
        const result = upload.end();
        await lease.commit({ counting: result.state });
        return renderDataCounts(jobId, result.counts,
          analysedFieldCount(counting.inputFields), { human: options.human });
      });
    },
  };
}

function jobExists(jobId: string): MlError {
  return new MlError(400, 'resource_already_exists_exception',
    `The job cannot be created with the Id '${jobId}'. ` +
    'The Id is already used.');
}

function renderFlush(
  lastFinalizedBucketEndMs: number | null, human: boolean,
): Record<string, unknown> {
  const body: Record<string, unknown> = { flushed: true };
  if (lastFinalizedBucketEndMs === null) return body;
  renderTime(body, 'last_finalized_bucket_end', lastFinalizedBucketEndMs,
    human);
  return body;
}
