// Contract stub: implemented by the store-and-jobs work.
import type { CountingConfig } from '../counting/types.js';

/**
 * A job as stored and as GET returns it, in Elasticsearch's field names
 * (spec §8.1). Immutable after create.
 */
export interface JobConfig {
  job_id: string;
  job_type: 'anomaly_detector';
  job_version: string;
  description?: string;
  create_time: number;
  analysis_config: {
    bucket_span: string;
    latency?: string;
    detectors: Array<Record<string, unknown> & { function: string }>;
    influencers: string[];
    summary_count_field_name?: string;
    categorization_field_name?: string;
  };
  analysis_limits: Record<string, unknown>;
  data_description: {
    time_field: string;
    time_format: string;
    format?: string;
    field_delimiter?: string;
    quote_character?: string;
  };
  [key: string]: unknown;
}

/**
 * Validates a PUT body for `urlJobId` (job id rules, detectors, bucket span,
 * latency, data description, ...) and returns the job to store. Throws
 * MlError with the spec's status, type and reason.
 */
export function parseJobConfig(
  urlJobId: string, body: unknown, nowMs: number,
): JobConfig {
  throw new Error(`not implemented ${String([urlJobId, body, nowMs])}`);
}

/** Throws the spec's 400 when `jobId` breaks the job id rules. */
export function validateJobId(jobId: string): void {
  throw new Error(`not implemented ${jobId}`);
}

/** What the counting core needs from a job. */
export function toCountingConfig(job: JobConfig): CountingConfig {
  throw new Error(`not implemented ${String(job)}`);
}
