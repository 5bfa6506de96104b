/**
 * Reading a job body the way Elasticsearch's strict object parser does:
 * unknown keys and values of the wrong JSON type are refused with the
 * object's name in brackets, e.g. `[data_description] unknown field [x]`.
 * Also the time strings (`5m`, `3600s`) and byte sizes (`1024mb`) of a job.
 */
import { MlError } from '../errors.js';

export { parseTimeValue } from '../timeValue.js';

export type JsonObject = Record<string, unknown>;

export function parseError(reason: string): MlError {
  return new MlError(400, 'x_content_parse_exception', reason);
}

/** A 400 for a value the parser accepted but the job rules do not. */
export function invalidConfig(reason: string): MlError {
  return new MlError(400, 'status_exception', reason);
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The token name Elasticsearch's parser reports for a JSON value. */
function tokenOf(value: unknown): string {
  if (value === null) return 'VALUE_NULL';
  if (Array.isArray(value)) return 'START_ARRAY';
  if (typeof value === 'object') return 'START_OBJECT';
  if (typeof value === 'number') return 'VALUE_NUMBER';
  if (typeof value === 'boolean') return 'VALUE_BOOLEAN';
  return 'VALUE_STRING';
}

export function wrongType(
  objectName: string, key: string, value: unknown,
): MlError {
  return parseError(`[${objectName}] ${key} doesn't support values of `
    + `type: ${tokenOf(value)}`);
}

/**
 * Reads the fields of one JSON object, refusing a value that is not an
 * object and keys it does not know. Every strict body (a job, a close or
 * flush request, an upload request) is read through it.
 */
export class ObjectReader {
  private readonly source: JsonObject;

  constructor(
    readonly objectName: string,
    source: unknown,
    allowedKeys: readonly string[],
  ) {
    if (!isObject(source)) {
      throw parseError(`[${objectName}] expected an object`);
    }
    const unknown = Object.keys(source).find((k) => !allowedKeys.includes(k));
    if (unknown !== undefined) {
      throw parseError(`[${objectName}] unknown field [${unknown}]`);
    }
    this.source = source;
  }

  has(key: string): boolean {
    return this.source[key] !== undefined;
  }

  string(key: string): string | undefined {
    const value = this.source[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw wrongType(this.objectName, key, value);
    return value;
  }

  boolean(key: string): boolean | undefined {
    const value = this.source[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') {
      throw wrongType(this.objectName, key, value);
    }
    return value;
  }

  integer(key: string): number | undefined {
    const value = this.source[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw wrongType(this.objectName, key, value);
    }
    return value;
  }

  object(key: string): JsonObject | undefined {
    const value = this.source[key];
    if (value === undefined) return undefined;
    if (!isObject(value)) throw wrongType(this.objectName, key, value);
    return value;
  }

  array(key: string): unknown[] | undefined {
    const value = this.source[key];
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw wrongType(this.objectName, key, value);
    return value;
  }

  stringArray(key: string): string[] | undefined {
    const values = this.array(key);
    const wrong = values?.find((v) => typeof v !== 'string');
    if (wrong !== undefined) throw wrongType(this.objectName, key, wrong);
    return values as string[] | undefined;
  }

  /** Any JSON value, echoed back as given. */
  raw(key: string): unknown {
    return this.source[key];
  }
}

const BYTES_PER_UNIT: Readonly<Record<string, number>> = {
  b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3,
  gb: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4, p: 1024 ** 5, pb: 1024 ** 5,
};

const BYTE_SIZE = /^(\d+)(b|kb?|mb?|gb?|tb?|pb?)$/;

/**
 * `model_memory_limit` in whole MiB. A bare number means MiB; `3000g` is
 * 3,072,000 MiB (spec test C1).
 */
export function parseMemoryLimitMb(raw: string | number): number {
  const text = String(raw).trim().toLowerCase();
  const parts = BYTE_SIZE.exec(/^\d+$/.test(text) ? `${text}mb` : text);
  if (parts === null) {
    throw new MlError(400, 'parse_exception',
      `failed to parse setting [model_memory_limit] with value [${raw}] as `
        + 'a size in bytes: unit is missing or unrecognized');
  }
  const mb = Math.floor(Number(parts[1]) * BYTES_PER_UNIT[parts[2]]
    / 1024 ** 2);
  if (mb < 1) {
    throw invalidConfig(
      `model_memory_limit must be at least 1 MiB. Value = ${mb}`);
  }
  return mb;
}
