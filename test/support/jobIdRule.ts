import { MlError } from '../../lib/errors.js';

/**
 * Stands in for lib/jobs/jobConfig.ts validateJobId in these tests, with
 * the rule and message of spec 8.1.
 */
export function validateJobIdBySpec(jobId: string): void {
  if (/^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$/.test(jobId)) return;
  throw new MlError(400, 'status_exception',
    `Invalid job_id; '${jobId}' can contain lowercase alphanumeric `
      + '(a-z and 0-9), hyphens or underscores; must start and end with '
      + 'alphanumeric');
}
