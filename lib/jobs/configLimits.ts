/**
 * Bounds on a job that Elasticsearch does not have: a job is stored as one
 * JSON string in one DynamoDB item, and serialising it recurses once per
 * level of nesting. Without them a deep `custom_settings` overflowed the
 * stack and a long `description` failed in DynamoDB, both as a 500.
 */
import { invalidConfig, parseError } from './configReader.js';

/**
 * The deepest nesting of objects and arrays a job body may have, the body
 * itself being level 1. A job needs 8 at most (a custom rule's scope sits
 * under job, analysis_config, detectors, a detector, custom_rules, a rule
 * and scope). JSON.stringify overflows the stack at about 4,000 levels
 * in a bare Node 20 process, sooner in one with frames below it.
 */
export const MAX_JOB_DEPTH = 100;

/**
 * The largest job, as the UTF-8 bytes of its stored JSON. DynamoDB takes
 * items of up to 409,600 bytes, names and values together; the job item's
 * keys and attribute names add under 200 bytes to its JSON.
 */
export const MAX_JOB_BYTES = 400_000;

/** Throws 400 when `body` nests deeper than MAX_JOB_DEPTH levels. */
export function checkJobDepth(body: unknown): void {
  // Walked with a stack of its own, as the depth is what is in question.
  const pending: Array<{ value: unknown; depth: number }> = [
    { value: body, depth: 1 },
  ];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, depth } = next;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_JOB_DEPTH) {
      throw parseError('[job_details] nests objects and arrays deeper than '
        + `the limit of ${MAX_JOB_DEPTH} levels`);
    }
    for (const child of Object.values(value)) {
      pending.push({ value: child, depth: depth + 1 });
    }
  }
}

/** Throws 400 when the job as stored would be over MAX_JOB_BYTES. */
export function checkJobSize(job: object): void {
  const bytes = Buffer.byteLength(JSON.stringify(job));
  if (bytes <= MAX_JOB_BYTES) return;

  throw invalidConfig(`The job takes ${bytes} bytes as stored, more than `
    + `the limit of ${MAX_JOB_BYTES}; shorten its description, `
    + 'custom_settings, detectors or influencers');
}
