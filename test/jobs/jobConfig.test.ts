import { describe, expect, test } from 'vitest';
import {
  JOB_VERSION, parseJobConfig, toCountingConfig, validateJobId,
} from '../../lib/jobs/jobConfig.js';

const NOW = 1_700_000_000_000;

/** The farequote job of spec Y1. */
const farequote = () => ({
  description: 'Analysis of response time by airline',
  analysis_config: {
    bucket_span: '1h',
    detectors: [{
      function: 'mean', field_name: 'responsetime', by_field_name: 'airline',
    }],
  },
  data_description: { time_field: 'time', time_format: 'epoch' },
});

const put = (body: unknown, id = 'farequote') =>
  parseJobConfig(id, body, NOW);

const minimal = (analysis: object = {}, data: object = {}) => ({
  analysis_config: { detectors: [{ function: 'count' }], ...analysis },
  data_description: data,
});

const rejects = (body: unknown, message: string, type = 'status_exception') =>
  expect(() => put(body)).toThrow(expect.objectContaining({
    status: 400, type, message,
  }));

const withDetector = (detector: object) =>
  ({ analysis_config: { detectors: [detector] }, data_description: {} });

describe('job ids', () => {
  test('accepts lowercase letters, digits, hyphens and underscores', () => {
    for (const id of ['a', 'farequote', 'post-data-job', 'job_1', '9z']) {
      expect(() => validateJobId(id)).not.toThrow();
    }
  });

  test('refuses other ids with the spec message', () => {
    for (const id of ['Bad', '-a', 'a-', '_a', 'a b', '', 'a.b']) {
      expect(() => validateJobId(id)).toThrow(expect.objectContaining({
        status: 400,
        type: 'status_exception',
        message: `Invalid job_id; '${id}' can contain lowercase alphanumeric `
          + '(a-z and 0-9), hyphens or underscores; must start and end with '
          + 'alphanumeric',
      }));
    }
  });

  test('refuses an id longer than 64 characters', () => {
    expect(() => validateJobId('a'.repeat(64))).not.toThrow();
    expect(() => validateJobId('a'.repeat(65))).toThrow(/64 characters/);
  });

  test('C2: a body id that differs from the URL id is inconsistent', () => {
    expect(() => parseJobConfig('an_id',
      { ...minimal(), job_id: 'a_different_id' }, NOW))
      .toThrow(expect.objectContaining({
        status: 400,
        type: 'illegal_argument_exception',
        message: "Inconsistent job_id; 'a_different_id' specified in the "
          + "body differs from 'an_id' specified as a URL argument",
      }));
    expect(put({ ...minimal(), job_id: 'farequote' }).job_id)
      .toBe('farequote');
  });
});

describe('a created job', () => {
  test('is the farequote job of spec §8.1 with every default', () => {
    const job = put(farequote());

    expect(job).toEqual({
      job_id: 'farequote',
      job_type: 'anomaly_detector',
      job_version: JOB_VERSION,
      description: 'Analysis of response time by airline',
      create_time: NOW,
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
        model_memory_limit: '1024mb', categorization_examples_limit: 4,
      },
      data_description: { time_field: 'time', time_format: 'epoch' },
      model_snapshot_retention_days: 10,
      daily_model_snapshot_retention_after_days: 1,
      results_index_name: 'shared',
      allow_lazy_open: false,
    });
  });

  test('keeps Elasticsearch key order', () => {
    const job = put(farequote());

    expect(Object.keys(job).slice(0, 8)).toEqual([
      'job_id', 'job_type', 'job_version', 'description', 'create_time',
      'analysis_config', 'analysis_limits', 'data_description',
    ]);
    expect(Object.keys(job.analysis_config.detectors[0])).toEqual([
      'detector_description', 'function', 'field_name', 'by_field_name',
      'detector_index',
    ]);
  });

  test('C2 and DD1: the minimal body gets a 5m span and epoch_ms', () => {
    const job = put(minimal());

    expect(job.analysis_config.bucket_span).toBe('5m');
    expect(job.data_description).toEqual({
      time_field: 'time', time_format: 'epoch_ms',
    });
    expect(job.analysis_config.detectors[0].detector_description)
      .toBe('count');
  });

  test('C2: echoes a bucket span in the unit it was given in', () => {
    for (const span of ['3600000ms', '3600s', '60m', '1h', '1d']) {
      expect(put(minimal({ bucket_span: span })).analysis_config.bucket_span)
        .toBe(span);
    }
  });

  test('numbers detectors in order, ignoring a given detector_index', () => {
    const job = put(minimal({ detectors: [
      { function: 'count', detector_index: 7 },
      { function: 'max', field_name: 'bytes', over_field_name: 'clientip',
        partition_field_name: 'host', use_null: true,
        exclude_frequent: 'ALL' },
    ] }));

    const [first, second] = job.analysis_config.detectors;
    expect(first.detector_index).toBe(0);
    expect(second).toEqual({
      detector_description: 'max(bytes) over clientip partitionfield=host '
        + 'usenull=true excludefrequent=all',
      function: 'max',
      field_name: 'bytes',
      over_field_name: 'clientip',
      partition_field_name: 'host',
      use_null: true,
      exclude_frequent: 'all',
      detector_index: 1,
    });
  });

  test('keeps a given detector description and expands short names', () => {
    const job = put(minimal({ detectors: [
      { function: 'nzc', by_field_name: 'a', detector_description: 'mine' },
    ] }));

    expect(job.analysis_config.detectors[0]).toMatchObject({
      detector_description: 'mine', function: 'non_zero_count',
    });
  });

  test('C1: writes the memory limit in MiB', () => {
    // 3000 GiB = 3000 * 1024 MiB = 3,072,000 MiB.
    const limits = (limit: string | number) =>
      put({ ...minimal(), analysis_limits: { model_memory_limit: limit } })
        .analysis_limits.model_memory_limit;

    expect(limits('3000g')).toBe('3072000mb');
    expect(limits('2048mb')).toBe('2048mb');
    expect(limits(512)).toBe('512mb');
  });

  test('keeps the legacy delimited format with its defaults', () => {
    const job = put(minimal({}, { format: 'DELIMITED' }));

    expect(job.data_description).toEqual({
      format: 'delimited', time_field: 'time', time_format: 'epoch_ms',
      field_delimiter: '\t', quote_character: '"',
    });
    expect(put(minimal({}, { format: 'delimited', field_delimiter: ',' }))
      .data_description.field_delimiter).toBe(',');
  });

  test('echoes groups, retention and lazy open in their places', () => {
    const job = put({ ...minimal(), groups: ['web'],
      model_snapshot_retention_days: 0, allow_lazy_open: true,
      results_index_name: 'mine' });

    expect(job).toMatchObject({
      groups: ['web'],
      model_snapshot_retention_days: 0,
      // The daily retention may not exceed the total, 0 days here.
      daily_model_snapshot_retention_after_days: 0,
      results_index_name: 'custom-mine',
      allow_lazy_open: true,
    });
    expect(Object.keys(job).indexOf('groups')).toBe(3);
    rejects({ ...minimal(), groups: ['Web'] }, 'Invalid group id \'Web\'; '
      + 'must be non-empty string and may contain lowercase alphanumeric '
      + '(a-z and 0-9), hyphens or underscores; must start and end with '
      + 'alphanumeric');
  });

  test('an explicit xcontent format is not echoed', () => {
    expect(put(minimal({}, { format: 'xcontent' })).data_description)
      .toEqual({ time_field: 'time', time_format: 'epoch_ms' });
  });
});

describe('refused job bodies', () => {
  test('without analysis_config or data_description', () => {
    rejects({ data_description: {} }, 'An analysis_config must be set');
    rejects({ analysis_config: { detectors: [{ function: 'count' }] } },
      'A data_description must be set');
  });

  test('with unknown fields at any level', () => {
    const parse = 'x_content_parse_exception';
    rejects({ ...minimal(), colour: 1 }, '[job_details] unknown field [colour]',
      parse);
    rejects(minimal({ colour: 1 }), '[analysis_config] unknown field [colour]',
      parse);
    rejects(minimal({}, { colour: 1 }),
      '[data_description] unknown field [colour]', parse);
    rejects(withDetector({ function: 'count', colour: 1 }),
      '[detector] unknown field [colour]', parse);
  });

  test('with a value of the wrong JSON type', () => {
    rejects(minimal({}, { time_format: null }),
      '[data_description] time_format doesn\'t support values of type: '
        + 'VALUE_NULL', 'x_content_parse_exception');
  });

  test('DD3: with an unknown data format', () => {
    rejects(minimal({}, { format: 'smile' }),
      '[data_description] failed to parse field [format]',
      'x_content_parse_exception');
  });

  test('DD3: with an empty time format', () => {
    rejects(minimal({}, { time_format: '' }),
      'Invalid Time format string \'\'');
  });

  test('with a delimiter of more than one character', () => {
    rejects(minimal({}, { format: 'delimited', field_delimiter: ',;' }),
      'String must be a single character, found [,;]');
  });

  test('with a delimiter or quote that is not ASCII', () => {
    rejects(minimal({}, { format: 'delimited', field_delimiter: '¦' }),
      "Only a single ASCII character is supported as a delimiter or quote, "
        + "got '¦'", 'illegal_argument_exception');
    rejects(minimal({}, { format: 'delimited', quote_character: '«' }),
      "Only a single ASCII character is supported as a delimiter or quote, "
        + "got '«'", 'illegal_argument_exception');
  });

  test('with a delimiter equal to the quote, or either a line ending', () => {
    const csv = (settings: object) =>
      minimal({}, { format: 'delimited', ...settings });
    rejects(csv({ field_delimiter: ',', quote_character: ',' }),
      'field_delimiter and quote_character must differ; both are [,]',
      'illegal_argument_exception');
    // The defaults are a tab and `"`: a quote of tab meets the delimiter.
    rejects(csv({ quote_character: '\t' }),
      'field_delimiter and quote_character must differ; both are [\\t]',
      'illegal_argument_exception');
    rejects(csv({ field_delimiter: '"' }),
      'field_delimiter and quote_character must differ; both are ["]',
      'illegal_argument_exception');
    rejects(csv({ field_delimiter: '\n' }),
      'field_delimiter cannot be a line ending, got [\\n]; records of a '
        + 'delimited job end at a line end', 'illegal_argument_exception');
    rejects(csv({ quote_character: '\r' }),
      'quote_character cannot be a line ending, got [\\r]; records of a '
        + 'delimited job end at a line end', 'illegal_argument_exception');
    expect(put(csv({ field_delimiter: ',', quote_character: "'" }))
      .data_description).toMatchObject(
      { field_delimiter: ',', quote_character: "'" });
  });

  test('with a bucket span that is not a positive whole second', () => {
    rejects(minimal({ bucket_span: '0s' }),
      'bucket_span cannot be less or equal than 0. Value = 0s');
    // -1 is the one negative that TimeValue lets through.
    rejects(minimal({ bucket_span: '-1m' }),
      'bucket_span cannot be less or equal than 0. Value = -1m');
    rejects(minimal({ bucket_span: '-5m' }),
      'failed to parse setting [bucket_span] with value [-5m] as a time '
        + 'value: negative durations are not supported', 'parse_exception');
    rejects(minimal({ bucket_span: '1.5h' }),
      'failed to parse [1.5h], fractional time values are not supported',
      'parse_exception');
    rejects(minimal({ bucket_span: '1500ms' }),
      'bucket_span has to be a multiple of 1s; actual was \'1500ms\'');
    rejects(minimal({ bucket_span: 'soon' }),
      'failed to parse setting [bucket_span] with value [soon] as a time '
        + 'value: unit is missing or unrecognized', 'parse_exception');
  });

  test('with a negative or fractional latency, but not a zero one', () => {
    rejects(minimal({ latency: '-1s' }),
      'latency cannot be less than 0. Value = -1s');
    rejects(minimal({ latency: '10ms' }),
      'latency has to be a multiple of 1s; actual was \'10ms\'');
    expect(put(minimal({ latency: '0s' })).analysis_config.latency)
      .toBe('0s');
  });

  test('with a latency longer than the diagnostics window can hold', () => {
    // 1000d over 1s buckets is 86,400,000 window buckets; the limit is
    // 10,000, so 10,000s over 1s buckets is accepted and 10,001s is not.
    rejects(minimal({ bucket_span: '1s', latency: '1000d' }),
      'latency [1000d] spans 86400000 buckets of [1s]; at most 10000 are '
        + 'supported');
    rejects(minimal({ bucket_span: '1s', latency: '10001s' }),
      'latency [10001s] spans 10001 buckets of [1s]; at most 10000 are '
        + 'supported');
    expect(put(minimal({ bucket_span: '1s', latency: '10000s' }))
      .analysis_config.latency).toBe('10000s');
  });

  test('with no detectors', () => {
    rejects(minimal({ detectors: [] }), 'No detectors configured');
  });

  test('with an unknown function', () => {
    rejects(withDetector({ function: 'average', field_name: 'x' }),
      'Unknown function \'average\'');
  });

  test('with detector fields that do not fit the function', () => {
    rejects(withDetector({ function: 'rare' }), 'Unless a count or temporal '
      + 'function is used one of field_name, by_field_name or '
      + 'over_field_name must be set');
    rejects(withDetector({ function: 'mean', by_field_name: 'a' }),
      'field_name must be set when the \'mean\' function is used');
    rejects(withDetector({ function: 'count', field_name: 'a' }),
      'field_name cannot be used with function \'count\'');
    rejects(withDetector({ function: 'rare', over_field_name: 'a' }),
      'by_field_name must be set when the \'rare\' function is used');
    rejects(withDetector({ function: 'freq_rare', by_field_name: 'a' }),
      'over_field_name must be set when the \'freq_rare\' function is used');
    rejects(withDetector({ function: 'high_nzc', over_field_name: 'a' }),
      'over_field_name cannot be used with function \'high_non_zero_count\'');
  });

  test('with field names that are not allowed', () => {
    rejects(withDetector({ function: 'count', by_field_name: 'a"b' }),
      'Invalid field name \'a"b\'. Field names including over, by and '
        + 'partition fields cannot contain any of these characters: ",\\');
    rejects(withDetector({ function: 'count', over_field_name: '.' }),
      'Invalid field name \'.\'. Field names including over, by and '
        + 'partition fields cannot be \'.\'');
    rejects(withDetector({ function: 'count', by_field_name: 'count' }),
      '\'count\' is not a permitted value for by_field_name');
    rejects(withDetector({ function: 'count', over_field_name: 'by' }),
      '\'by\' is not a permitted value for over_field_name');
  });

  test('with one field in two roles', () => {
    rejects(withDetector({ function: 'count', by_field_name: 'a',
      partition_field_name: 'a' }),
    'partition_field_name and by_field_name cannot be the same: \'a\'');
    rejects(withDetector({ function: 'count', by_field_name: 'a',
      over_field_name: 'a' }),
    'by_field_name and over_field_name cannot be the same: \'a\'');
  });

  test('with a term field nested inside another', () => {
    rejects(minimal({ detectors: [
      { function: 'count', by_field_name: 'a' },
      { function: 'count', over_field_name: 'a.b' },
    ] }), 'Fields [a] and [a.b] cannot both be used in the same '
      + 'analysis_config');
  });

  test('with a metric detector on pre-summarized input', () => {
    rejects(minimal({ summary_count_field_name: 'n', detectors: [
      { function: 'metric', field_name: 'x' },
    ] }), 'The \'metric\' function cannot be used in jobs that will take '
      + 'pre-summarized input');
  });

  test('with the time field used in the analysis', () => {
    rejects(minimal({ influencers: ['time'] }),
      'data_description.time_field may not be used in the analysis_config');
    rejects({ ...withDetector({ function: 'mean', field_name: 'ts' }),
      data_description: { time_field: 'ts' } },
    'data_description.time_field may not be used in the analysis_config');
  });
});

describe('the counting config of a job', () => {
  test('reads the farequote input fields of spec 10', () => {
    const fields = toCountingConfig(put(farequote())).inputFields;

    // mean(responsetime) by airline, time field `time` (spec 6.1).
    expect([...fields].sort()).toEqual(['airline', 'responsetime', 'time']);
  });

  test('has spans in ms and the data description', () => {
    const job = put({
      ...farequote(),
      analysis_config: { ...farequote().analysis_config, latency: '2m' },
    });

    expect(toCountingConfig(job)).toMatchObject({
      bucketSpanMs: 3_600_000, // 1h
      latencyMs: 120_000, // 2m
      timeField: 'time',
      timeFormat: 'epoch',
      format: 'xcontent',
      fieldDelimiter: '\t',
      quoteCharacter: '"',
    });
  });

  test('has no latency when none is set and keeps a CSV format', () => {
    const job = put(minimal({ bucket_span: '3600s' },
      { format: 'delimited', field_delimiter: ',', quote_character: '\'' }));

    expect(toCountingConfig(job)).toMatchObject({
      bucketSpanMs: 3_600_000, latencyMs: 0, format: 'delimited',
      fieldDelimiter: ',', quoteCharacter: '\'',
    });
  });
});
