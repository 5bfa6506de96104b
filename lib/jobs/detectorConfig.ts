/**
 * One detector of `analysis_config.detectors` (spec §8.1): its function,
 * the fields it names and the rules between them, in the order
 * Elasticsearch checks them, and the description generated when absent.
 */
import {
  type JsonObject, ObjectReader, invalidConfig, isObject, wrongType,
} from './configReader.js';

/** A detector as stored: the fields the input field set reads are typed. */
export type Detector = Record<string, unknown> & {
  function: string;
  field_name?: string;
  by_field_name?: string;
  over_field_name?: string;
  partition_field_name?: string;
};

const DETECTOR_KEYS = [
  'detector_description', 'function', 'field_name', 'by_field_name',
  'over_field_name', 'partition_field_name', 'use_null', 'exclude_frequent',
  'custom_rules', 'detector_index',
] as const;

/** Short names that are stored under the function's full name. */
const FUNCTION_ALIASES: Readonly<Record<string, string>> = {
  nzc: 'non_zero_count',
  low_nzc: 'low_non_zero_count',
  high_nzc: 'high_non_zero_count',
  dc: 'distinct_count',
  low_dc: 'low_distinct_count',
  high_dc: 'high_distinct_count',
};

const NON_ZERO_COUNTS = [
  'non_zero_count', 'low_non_zero_count', 'high_non_zero_count',
];

/** Functions that need none of field, by or over. */
const COUNTS_AND_TEMPORAL = [
  'count', 'low_count', 'high_count', ...NON_ZERO_COUNTS,
  'time_of_day', 'time_of_week',
];

const RARES = ['rare', 'freq_rare'];

/** Functions of a field's value: they need `field_name`. */
const FIELD_FUNCTIONS = [
  'distinct_count', 'low_distinct_count', 'high_distinct_count',
  'info_content', 'low_info_content', 'high_info_content',
  'metric', 'mean', 'low_mean', 'high_mean', 'avg', 'low_avg', 'high_avg',
  'median', 'low_median', 'high_median', 'min', 'max',
  'sum', 'low_sum', 'high_sum',
  'non_null_sum', 'low_non_null_sum', 'high_non_null_sum',
  'varp', 'low_varp', 'high_varp', 'lat_long',
];

const KNOWN_FUNCTIONS = new Set(
  [...COUNTS_AND_TEMPORAL, ...RARES, ...FIELD_FUNCTIONS]);

const EXCLUDE_FREQUENT = ['all', 'none', 'by', 'over'];

/** Names a by or over field may not have: they are the engine's words. */
const RESERVED_SPLIT_NAMES = ['count', 'by', 'over'];

const FORBIDDEN_FIELD_CHARS = /["\\\u0000-\u001f\u007f-\u009f]/;

/** Validates one detector and returns it in Elasticsearch's key order. */
export function parseDetector(value: unknown, index: number): Detector {
  if (!isObject(value)) {
    throw wrongType('analysis_config', 'detectors', value);
  }
  const reader = new ObjectReader('detector', value, DETECTOR_KEYS);
  const given = reader.string('function');
  if (given === undefined) {
    throw invalidConfig('Unknown function \'null\'');
  }
  const fn = FUNCTION_ALIASES[given] ?? given;
  if (!KNOWN_FUNCTIONS.has(fn)) {
    throw invalidConfig(`Unknown function '${given}'`);
  }

  const field = nonEmpty(reader.string('field_name'));
  const by = nonEmpty(reader.string('by_field_name'));
  const over = nonEmpty(reader.string('over_field_name'));
  const partition = nonEmpty(reader.string('partition_field_name'));
  checkFunctionFields(fn, field, by, over);
  for (const name of [field, by, over, partition]) checkFieldName(name);
  checkSplitFields(by, over, partition);

  const useNull = reader.boolean('use_null') ?? false;
  const excludeFrequent =
    parseExcludeFrequent(reader.string('exclude_frequent'));
  const customRules = reader.array('custom_rules') ?? [];
  const description = reader.string('detector_description')
    ?? describe(fn, field, by, over, partition, useNull, excludeFrequent);

  // Insertion order is Elasticsearch's output order.
  const detector: JsonObject = { detector_description: description,
    function: fn };
  if (field !== undefined) detector.field_name = field;
  if (by !== undefined) detector.by_field_name = by;
  if (over !== undefined) detector.over_field_name = over;
  if (partition !== undefined) detector.partition_field_name = partition;
  if (useNull) detector.use_null = true;
  if (excludeFrequent !== undefined) {
    detector.exclude_frequent = excludeFrequent;
  }
  // Rules are stored as given: this project has no engine to apply them,
  // so their conditions are not validated.
  if (customRules.length > 0) detector.custom_rules = customRules;
  detector.detector_index = index;
  return detector as Detector;
}

const nonEmpty = (name: string | undefined): string | undefined =>
  name === '' ? undefined : name;

function checkFunctionFields(
  fn: string, field?: string, by?: string, over?: string,
): void {
  const needsField = FIELD_FUNCTIONS.includes(fn);
  if (field === undefined && by === undefined && over === undefined
    && !COUNTS_AND_TEMPORAL.includes(fn)) {
    throw invalidConfig('Unless a count or temporal function is used one of '
      + 'field_name, by_field_name or over_field_name must be set');
  }
  if (needsField && field === undefined) {
    throw invalidConfig(
      `field_name must be set when the '${fn}' function is used`);
  }
  if (!needsField && field !== undefined) {
    throw invalidConfig(`field_name cannot be used with function '${fn}'`);
  }
  if (RARES.includes(fn) && by === undefined) {
    throw invalidConfig(
      `by_field_name must be set when the '${fn}' function is used`);
  }
  if (fn === 'freq_rare' && over === undefined) {
    throw invalidConfig(
      `over_field_name must be set when the '${fn}' function is used`);
  }
  if (NON_ZERO_COUNTS.includes(fn) && over !== undefined) {
    throw invalidConfig(`over_field_name cannot be used with function '${fn}'`);
  }
}

function checkFieldName(name: string | undefined): void {
  if (name === undefined) return;
  if (FORBIDDEN_FIELD_CHARS.test(name)) {
    throw invalidConfig(`Invalid field name '${name}'. Field names including `
      + 'over, by and partition fields cannot contain any of these '
      + 'characters: ",\\');
  }
  if (name === '.') {
    throw invalidConfig('Invalid field name \'.\'. Field names including '
      + 'over, by and partition fields cannot be \'.\'');
  }
}

function checkSplitFields(by?: string, over?: string, partition?: string) {
  for (const [role, name] of [['by', by], ['over', over]] as const) {
    if (name !== undefined && RESERVED_SPLIT_NAMES.includes(name)) {
      throw invalidConfig(
        `'${name}' is not a permitted value for ${role}_field_name`);
    }
  }
  const pairs = [
    ['partition_field_name', partition, 'by_field_name', by],
    ['partition_field_name', partition, 'over_field_name', over],
    ['by_field_name', by, 'over_field_name', over],
  ] as const;
  for (const [first, a, second, b] of pairs) {
    if (a !== undefined && a === b) {
      throw invalidConfig(`${first} and ${second} cannot be the same: '${a}'`);
    }
  }
}

function parseExcludeFrequent(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const value = raw.toLowerCase();
  if (!EXCLUDE_FREQUENT.includes(value)) {
    throw invalidConfig(`Unknown exclude_frequent value '${raw}'; expected `
      + 'one of all, none, by, over');
  }
  return value;
}

/**
 * The generated description, e.g. `mean(responsetime) by airline`. Field
 * names other than letters, digits and `_` are double-quoted. The exact
 * format of Elasticsearch's generator is not confirmed (spec §12 item 7).
 */
function describe(
  fn: string, field: string | undefined, by: string | undefined,
  over: string | undefined, partition: string | undefined,
  useNull: boolean, excludeFrequent: string | undefined,
): string {
  let text = field === undefined ? fn : `${fn}(${quoted(field)})`;
  if (by !== undefined) text += ` by ${quoted(by)}`;
  if (over !== undefined) text += ` over ${quoted(over)}`;
  if (partition !== undefined) text += ` partitionfield=${quoted(partition)}`;
  if (useNull) text += ' usenull=true';
  if (excludeFrequent !== undefined) {
    text += ` excludefrequent=${excludeFrequent}`;
  }
  return text;
}

const quoted = (name: string): string =>
  /^\w+$/.test(name) ? name : `"${name}"`;
