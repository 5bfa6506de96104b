/**
 * `analysis_config` and `analysis_limits` of a PUT job body (spec §8.1):
 * bucket span, latency, detectors, influencers and the memory limit.
 */
import {
  type JsonObject, ObjectReader, invalidConfig, parseMemoryLimitMb,
  parseTimeValue, wrongType,
} from './configReader.js';
import { type Detector, parseDetector } from './detectorConfig.js';
import type { JobConfig } from './jobConfig.js';

const ANALYSIS_KEYS = [
  'bucket_span', 'categorization_field_name', 'categorization_filters',
  'latency', 'summary_count_field_name', 'detectors', 'influencers',
  'multivariate_by_fields',
] as const;

export function parseAnalysisConfig(
  body: JsonObject,
): JobConfig['analysis_config'] {
  const reader = new ObjectReader('analysis_config', body, ANALYSIS_KEYS);
  const detectors = (reader.array('detectors') ?? []).map(parseDetector);
  const influencers = reader.stringArray('influencers') ?? [];
  const summaryCountField = reader.string('summary_count_field_name');
  const bucketSpan = reader.string('bucket_span') ?? '5m';
  const latency = reader.string('latency');

  checkSpan('bucket_span', bucketSpan, 'cannot be less or equal than 0');
  if (latency !== undefined) {
    checkSpan('latency', latency, 'cannot be less than 0');
    checkWindowBuckets(bucketSpan, latency);
  }
  if (detectors.length === 0) throw invalidConfig('No detectors configured');
  if (summaryCountField !== undefined
    && detectors.some((d) => d.function === 'metric')) {
    throw invalidConfig('The \'metric\' function cannot be used in jobs that '
      + 'will take pre-summarized input');
  }
  checkNestedTermFields(detectors, influencers);

  return withoutUndefined({
    bucket_span: bucketSpan,
    categorization_field_name: reader.string('categorization_field_name'),
    categorization_filters: reader.stringArray('categorization_filters'),
    latency,
    summary_count_field_name: summaryCountField,
    detectors,
    influencers,
    multivariate_by_fields: reader.boolean('multivariate_by_fields'),
  });
}

/** Drops the keys of options that were not given, keeping the order. */
export function withoutUndefined<T extends object>(value: T): T {
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return Object.fromEntries(entries) as T;
}

/**
 * A span must be a whole number of seconds; `bucket_span` must also be
 * positive and `latency` may be 0 (spec §8.1).
 */
function checkSpan(setting: string, raw: string, tooLow: string): void {
  const ms = parseTimeValue(setting, raw);
  const limitBroken = setting === 'latency' ? ms < 0 : ms <= 0;
  if (limitBroken) throw invalidConfig(`${setting} ${tooLow}. Value = ${raw}`);
  if (ms % 1000 !== 0) {
    throw invalidConfig(
      `${setting} has to be a multiple of 1s; actual was '${raw}'`);
  }
}

/**
 * The bucket diagnostics keep one counter per bucket of latency (spec §7.2)
 * and the job's state item holds them, within DynamoDB's 400 KB item limit.
 * Elasticsearch has no such bound; without it a long latency over short
 * buckets (1000d over 1s is 86.4 million buckets) makes opening the job
 * allocate gigabytes and fail with a 500 a minute later.
 */
const MAX_WINDOW_BUCKETS = 10_000;

function checkWindowBuckets(bucketSpan: string, latency: string): void {
  const buckets = Math.ceil(parseTimeValue('latency', latency)
    / parseTimeValue('bucket_span', bucketSpan));
  if (buckets <= MAX_WINDOW_BUCKETS) return;

  throw invalidConfig(`latency [${latency}] spans ${buckets} buckets of `
    + `[${bucketSpan}]; at most ${MAX_WINDOW_BUCKETS} are supported`);
}

/**
 * A term field may not be an object path inside another (spec §8.1). The
 * first clash in name order is named. Each name's search is a binary one,
 * so 100,000 influencers take a sort, not 10^10 comparisons (a linear
 * search per name held the server for a minute).
 */
function checkNestedTermFields(
  detectors: readonly Detector[], influencers: readonly string[],
): void {
  const terms = new Set<string>(influencers);
  for (const detector of detectors) {
    for (const name of [detector.by_field_name, detector.over_field_name,
      detector.partition_field_name]) {
      if (name !== undefined) terms.add(name);
    }
  }
  const sorted = [...terms].sort();
  for (const outer of sorted) {
    const inner = firstWithPrefix(sorted, `${outer}.`);
    if (inner !== undefined) {
      throw invalidConfig(`Fields [${outer}] and [${inner}] cannot both be `
        + 'used in the same analysis_config');
    }
  }
}

/**
 * The first name of `sorted` that starts with `prefix`. Such names sort
 * together, right from the first name that is not below the prefix.
 */
function firstWithPrefix(
  sorted: readonly string[], prefix: string,
): string | undefined {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle] < prefix) low = middle + 1;
    else high = middle;
  }
  const found = sorted[low];
  return found?.startsWith(prefix) ? found : undefined;
}

const LIMIT_KEYS = ['model_memory_limit', 'categorization_examples_limit'];

export function parseAnalysisLimits(
  body: JsonObject | undefined,
): JobConfig['analysis_limits'] {
  const reader = new ObjectReader('analysis_limits', body ?? {}, LIMIT_KEYS);
  const memory = reader.raw('model_memory_limit');
  if (memory !== undefined && typeof memory !== 'string'
    && typeof memory !== 'number') {
    throw wrongType('analysis_limits', 'model_memory_limit', memory);
  }
  const examples = reader.integer('categorization_examples_limit') ?? 4;
  if (examples < 0) {
    throw invalidConfig('categorization_examples_limit cannot be less than '
      + `0. Value = ${examples}`);
  }
  const memoryMb = memory === undefined ? 1024 : parseMemoryLimitMb(memory);
  return {
    model_memory_limit: `${memoryMb}mb`,
    categorization_examples_limit: examples,
  };
}
