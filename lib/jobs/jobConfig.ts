/**
 * Create job (spec §8.1, §4.1): the PUT body validated, defaults filled in,
 * and the job returned in Elasticsearch's key order, as GET shows it.
 */
import {
  csvCharacterByte, inputFieldSet, isValidTimeFormat, type CountingConfig,
} from '../counting/index.js';
import { MlError } from '../errors.js';
import {
  parseAnalysisConfig, parseAnalysisLimits, withoutUndefined,
} from './analysisConfig.js';
import { checkJobDepth, checkJobSize } from './configLimits.js';
import {
  type JsonObject, ObjectReader, invalidConfig, parseTimeValue,
} from './configReader.js';
import type { Detector } from './detectorConfig.js';

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
    detectors: Detector[];
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
 * A job without the fields Elasticsearch's `exclude_generated` leaves out.
 * Of those (`job_version`, `create_time`, `finished_time`,
 * `model_snapshot_id`, `model_snapshot_min_version`, `deleting`,
 * `blocked`) a job here has only the first two: there is no engine to
 * write snapshots, and deleting is synchronous.
 */
export function withoutGenerated(job: JobConfig): Record<string, unknown> {
  const { job_version: _version, create_time: _created, ...rest } = job;
  return rest;
}

/** The Elasticsearch version whose job format this project writes. */
export const JOB_VERSION = '8.0.0';

const JOB_ID_MAX_LENGTH = 64;
const VALID_ID = /^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$/;

const JOB_KEYS = [
  'job_id', 'job_type', 'groups', 'description', 'analysis_config',
  'analysis_limits', 'background_persist_interval', 'data_description',
  'model_plot_config', 'renormalization_window_days',
  'model_snapshot_retention_days', 'daily_model_snapshot_retention_after_days',
  'results_retention_days', 'custom_settings', 'results_index_name',
  'allow_lazy_open',
] as const;

const RETENTION_KEYS = [
  'renormalization_window_days', 'model_snapshot_retention_days',
  'daily_model_snapshot_retention_after_days', 'results_retention_days',
] as const;

/** Throws the spec's 400 when `jobId` breaks the job id rules. */
export function validateJobId(jobId: string): void {
  if (!VALID_ID.test(jobId)) {
    throw invalidConfig(`Invalid job_id; '${jobId}' can contain lowercase `
      + 'alphanumeric (a-z and 0-9), hyphens or underscores; must start and '
      + 'end with alphanumeric');
  }
  // The 64-character limit is not confirmed by a test (spec §12 item 7).
  if (jobId.length > JOB_ID_MAX_LENGTH) {
    throw invalidConfig(`The job_id cannot contain more than `
      + `${JOB_ID_MAX_LENGTH} characters.`);
  }
}

/**
 * Validates a PUT body for `urlJobId` (job id rules, detectors, bucket span,
 * latency, data description, ...) and returns the job to store. Throws
 * MlError with the spec's status, type and reason.
 */
export function parseJobConfig(
  urlJobId: string, body: unknown, nowMs: number,
): JobConfig {
  validateJobId(urlJobId);
  if (body === undefined || body === null) {
    throw new MlError(400, 'parse_exception', 'request body is required');
  }
  checkJobDepth(body);
  const job = new ObjectReader('job_details', body, JOB_KEYS);

  const bodyId = job.string('job_id');
  if (bodyId !== undefined && bodyId !== urlJobId) {
    throw new MlError(400, 'illegal_argument_exception',
      `Inconsistent job_id; '${bodyId}' specified in the body differs from `
        + `'${urlJobId}' specified as a URL argument`);
  }
  const jobType = job.string('job_type');
  if (jobType !== undefined && jobType !== 'anomaly_detector') {
    throw invalidConfig(`Unknown job_type [${jobType}]`);
  }
  const analysisBody = job.object('analysis_config');
  if (analysisBody === undefined) {
    throw invalidConfig('An analysis_config must be set');
  }
  const dataBody = job.object('data_description');
  if (dataBody === undefined) {
    throw invalidConfig('A data_description must be set');
  }

  const analysis = parseAnalysisConfig(analysisBody);
  const data = parseDataDescription(dataBody, nowMs);
  checkTimeFieldUnused(analysis, data.time_field);

  const assembled = assembleJob(urlJobId, job, nowMs, analysis, data);
  checkJobSize(assembled);
  return assembled;
}

function assembleJob(
  jobId: string, job: ObjectReader, nowMs: number,
  analysis: JobConfig['analysis_config'],
  data: JobConfig['data_description'],
): JobConfig {
  const groups = job.stringArray('groups') ?? [];
  for (const group of groups) checkGroupId(group);
  const retention: Partial<Record<string, number>> = {};
  for (const key of RETENTION_KEYS) {
    const days = job.integer(key);
    if (days !== undefined && days < 0) {
      throw invalidConfig(`${key} cannot be less than 0. Value = ${days}`);
    }
    retention[key] = days;
  }
  const snapshotDays = retention.model_snapshot_retention_days ?? 10;
  const persistInterval = job.string('background_persist_interval');
  if (persistInterval !== undefined) {
    parseTimeValue('background_persist_interval', persistInterval);
  }
  const description = job.string('description');
  const indexName = job.string('results_index_name');

  // Insertion order is Elasticsearch's output order.
  return withoutUndefined({
    job_id: jobId,
    job_type: 'anomaly_detector',
    job_version: JOB_VERSION,
    groups: groups.length > 0 ? groups : undefined,
    description,
    create_time: nowMs,
    analysis_config: analysis,
    analysis_limits: parseAnalysisLimits(job.object('analysis_limits')),
    background_persist_interval: persistInterval,
    data_description: data,
    model_plot_config: job.object('model_plot_config'),
    renormalization_window_days: retention.renormalization_window_days,
    model_snapshot_retention_days: snapshotDays,
    daily_model_snapshot_retention_after_days:
      retention.daily_model_snapshot_retention_after_days
        ?? Math.min(1, snapshotDays),
    results_retention_days: retention.results_retention_days,
    custom_settings: job.object('custom_settings'),
    results_index_name:
      indexName === undefined ? 'shared' : `custom-${indexName}`,
    allow_lazy_open: job.boolean('allow_lazy_open') ?? false,
  });
}

const DATA_KEYS = [
  'format', 'time_field', 'time_format', 'field_delimiter', 'quote_character',
];

/** Elasticsearch's defaults for the `delimited` format: tab and `"`. */
const DEFAULT_FIELD_DELIMITER = '\t';
const DEFAULT_QUOTE_CHARACTER = '"';

function parseDataDescription(
  body: JsonObject, nowMs: number,
): JobConfig['data_description'] {
  const reader = new ObjectReader('data_description', body, DATA_KEYS);
  const format = parseFormat(reader.raw('format'));
  const timeField = reader.string('time_field') ?? 'time';
  const timeFormat = reader.string('time_format') ?? 'epoch_ms';
  checkTimeFormat(timeFormat, nowMs);
  const delimiter = singleCharacter(reader.string('field_delimiter'));
  const quote = singleCharacter(reader.string('quote_character'));

  if (format === 'xcontent') {
    return { time_field: timeField, time_format: timeFormat };
  }
  const fieldDelimiter = delimiter ?? DEFAULT_FIELD_DELIMITER;
  const quoteCharacter = quote ?? DEFAULT_QUOTE_CHARACTER;
  csvCharacterByte(fieldDelimiter);
  csvCharacterByte(quoteCharacter);
  checkCsvCharacters(fieldDelimiter, quoteCharacter);
  return {
    format,
    time_field: timeField,
    time_format: timeFormat,
    field_delimiter: fieldDelimiter,
    quote_character: quoteCharacter,
  };
}

function parseFormat(raw: unknown): 'xcontent' | 'delimited' {
  if (raw === undefined) return 'xcontent';
  const value = typeof raw === 'string' ? raw.toLowerCase() : undefined;
  if (value === 'xcontent' || value === 'delimited') return value;
  throw new MlError(400, 'x_content_parse_exception',
    '[data_description] failed to parse field [format]', {
      causedBy: {
        type: 'illegal_argument_exception',
        reason: `Unknown data format [${String(raw)}]; expected xcontent or `
          + 'delimited',
      },
    });
}

/**
 * The pattern is checked with the formatter that reads records, which
 * defaults the year to the current one: a `uuuu` or `YYYY` year then
 * conflicts with it, and such a pattern is refused as Elasticsearch does.
 */
function checkTimeFormat(timeFormat: string, nowMs: number): void {
  if (timeFormat === 'epoch' || timeFormat === 'epoch_ms') return;
  if (timeFormat !== '' && isValidTimeFormat(timeFormat, { nowMs })) return;
  throw invalidConfig(`Invalid Time format string '${timeFormat}'`);
}

/**
 * Refused when the job is created, where Elasticsearch's CSV reader fails
 * only when data is posted: a record cannot be split by its quote
 * character, nor by a line ending, which ends the record.
 */
function checkCsvCharacters(delimiter: string, quote: string): void {
  for (const [setting, value] of [
    ['field_delimiter', delimiter], ['quote_character', quote]] as const) {
    if (value !== '\n' && value !== '\r') continue;
    throw new MlError(400, 'illegal_argument_exception',
      `${setting} cannot be a line ending, got [${shown(value)}]; `
        + 'records of a delimited job end at a line end');
  }
  if (delimiter !== quote) return;

  throw new MlError(400, 'illegal_argument_exception',
    'field_delimiter and quote_character must differ; both are '
      + `[${shown(delimiter)}]`);
}

/** Control characters as their escapes, so that a message shows them. */
function shown(character: string): string {
  const escapes: Record<string, string> = {
    '\t': '\\t', '\n': '\\n', '\r': '\\r',
  };
  return escapes[character] ?? character;
}

function singleCharacter(raw: string | undefined): string | undefined {
  if (raw === undefined || [...raw].length === 1) return raw;
  throw invalidConfig(`String must be a single character, found [${raw}]`);
}

function checkGroupId(group: string): void {
  if (VALID_ID.test(group)) return;
  throw invalidConfig(`Invalid group id '${group}'; must be non-empty string `
    + 'and may contain lowercase alphanumeric (a-z and 0-9), hyphens or '
    + 'underscores; must start and end with alphanumeric');
}

/**
 * The time field may not be one the analysis reads. With an empty time
 * field (which adds nothing) the input field set of spec §6.1 is the
 * fields the analysis reads from records; `mlcategory` is not among them
 * (it is generated), so a time field of that name passes.
 */
function checkTimeFieldUnused(
  analysis: JobConfig['analysis_config'], timeField: string,
): void {
  if (!inputFieldSet(analysis, '').includes(timeField)) return;
  throw invalidConfig(
    'data_description.time_field may not be used in the analysis_config');
}

/** What the counting core needs from a job. */
export function toCountingConfig(job: JobConfig): CountingConfig {
  const { analysis_config: analysis, data_description: data } = job;
  return {
    bucketSpanMs: parseTimeValue('bucket_span', analysis.bucket_span),
    latencyMs: analysis.latency === undefined
      ? 0
      : parseTimeValue('latency', analysis.latency),
    timeField: data.time_field,
    timeFormat: data.time_format,
    inputFields: inputFieldSet(analysis, data.time_field),
    format: data.format === 'delimited' ? 'delimited' : 'xcontent',
    fieldDelimiter: data.field_delimiter ?? DEFAULT_FIELD_DELIMITER,
    quoteCharacter: data.quote_character ?? DEFAULT_QUOTE_CHARACTER,
  };
}
