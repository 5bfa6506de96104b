import { jobNotFound } from '../errors.js';
import { matchesWildcard } from '../wildcard.js';
import type { JobConfig } from './jobConfig.js';

/**
 * Resolves a job id expression (an id, a comma list, wildcards, `_all`,
 * `*` or nothing) against the existing jobs, as the original's get, stats
 * and close APIs do. An explicit id that does not exist is always a 404;
 * a wildcard that matches nothing is a 404 only without `allowNoMatch`.
 */
export function resolveJobIds(
  expression: string | undefined,
  jobs: readonly JobConfig[],
  allowNoMatch: boolean,
): JobConfig[] {
  const tokens = (expression ?? '').split(',').map((token) => token.trim())
    .filter((token) => token !== '');
  if (tokens.length === 0 || tokens.some((t) => t === '_all' || t === '*')) {
    if (jobs.length === 0 && !allowNoMatch && tokens.length > 0) {
      throw jobNotFound(tokens.join(','));
    }
    return [...jobs];
  }

  const matched = new Set<string>();
  const missing: string[] = [];
  for (const token of tokens) {
    const found = matching(token, jobs);
    if (found.length === 0 && (!token.includes('*') || !allowNoMatch)) {
      missing.push(token);
    }
    for (const job of found) matched.add(job.job_id);
  }

  if (missing.length > 0) throw jobNotFound(missing.join(','));
  return jobs.filter((job) => matched.has(job.job_id));
}

function matching(token: string, jobs: readonly JobConfig[]): JobConfig[] {
  return jobs.filter((job) => matchesWildcard(token, job.job_id));
}
