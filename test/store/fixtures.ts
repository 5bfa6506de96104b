import { randomUUID } from 'node:crypto';
import type { CountingState, DataCounts } from '../../lib/counting/types.js';
import type { JobConfig } from '../../lib/jobs/jobConfig.js';
import { createDynamoClient } from '../../lib/store/clients.js';

const zeroCounts: DataCounts = {
  processedRecordCount: 0,
  inputBytes: 0,
  inputFieldCount: 0,
  invalidDateCount: 0,
  missingFieldCount: 0,
  outOfOrderTimestampCount: 0,
  emptyBucketCount: 0,
  sparseBucketCount: 0,
  bucketCount: 0,
  earliestRecordTimestamp: null,
  latestRecordTimestamp: null,
  lastDataTime: null,
  latestEmptyBucketTimestamp: null,
  latestSparseBucketTimestamp: null,
  logTime: null,
};

/** A job just created: zero totals, no session. */
export const freshCounting = (): CountingState => ({
  totals: { ...zeroCounts },
  analysedFieldCount: 1,
  diagnostics: null,
  lastFinalizedBucketEndSec: null,
});

/** The job of spec test Y1, as the store keeps it. */
export const jobConfig = (jobId: string): JobConfig => ({
  job_id: jobId,
  job_type: 'anomaly_detector',
  job_version: '8.0.0',
  description: 'Analysis of response time by airline',
  create_time: 1_700_000_000_000,
  analysis_config: {
    bucket_span: '1h',
    detectors: [{
      detector_description: 'mean(responsetime) by airline',
      function: 'mean',
      field_name: 'responsetime',
      by_field_name: 'airline',
      detector_index: 0,
    }],
    influencers: [],
  },
  analysis_limits: {
    model_memory_limit: '1024mb',
    categorization_examples_limit: 4,
  },
  data_description: { time_field: 'time', time_format: 'epoch' },
});

export const dynamoClientFor = (endpoint: string) =>
  createDynamoClient({ endpoint, region: 'us-east-1' });

export const uniqueTableName = (prefix: string): string =>
  `${prefix}-${randomUUID()}`;
