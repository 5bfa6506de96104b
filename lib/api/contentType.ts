import {
  contentTypeMissing, contentTypeUnsupported, formatNotReadHere,
  noStreamParsing,
} from './apiErrors.js';

const JSON_TYPES = new Set([
  'application/json', 'application/x-ndjson', 'application/*',
]);
const VENDOR_PREFIX = 'application/vnd.elasticsearch+';
const VENDOR_JSON = new Set(['json', 'x-ndjson']);
/** Formats Elasticsearch reads and this service does not. */
const OTHER_FORMATS = new Set(['smile', 'cbor', 'yaml']);
/**
 * REST compatibility versions a vendor media type may ask for. Unlike
 * Elasticsearch, the version is not cross-checked against `Accept`: the
 * answer is the same JSON whichever version is asked for.
 */
const COMPATIBLE_VERSIONS = new Set(['7', '8', '9']);

/**
 * Checks the Content-Type of a non-empty body (spec 1.3). JSON and NDJSON,
 * plain or as Elasticsearch's vendor types, are accepted. `streamed` is
 * the post data route, where CBOR and YAML get Elasticsearch's "does not
 * support stream parsing" answer; SMILE, which Elasticsearch would parse,
 * has no reader here and is refused with its own message.
 */
export function checkContentType(
  header: string | undefined, streamed: boolean,
): void {
  if (header === undefined) throw contentTypeMissing();

  const format = formatOf(header);
  if (format === 'json') return;
  if (format === undefined) throw contentTypeUnsupported(header);
  if (streamed && format !== 'smile') throw noStreamParsing(format);
  throw formatNotReadHere(format);
}

function formatOf(header: string): string | undefined {
  const [essence, ...rawParams] = header.split(';');
  const type = essence.trim().toLowerCase();
  const params = parseParams(rawParams);
  if (params === undefined) return undefined;

  const vendor = type.startsWith(VENDOR_PREFIX)
    ? type.slice(VENDOR_PREFIX.length) : undefined;
  if (vendor !== undefined) {
    const version = params.get('compatible-with');
    if (version === undefined || !COMPATIBLE_VERSIONS.has(version)) {
      return undefined;
    }
    params.delete('compatible-with');
  }
  if (!charsetOnly(params)) return undefined;

  if (vendor !== undefined) {
    if (VENDOR_JSON.has(vendor)) return 'json';
    return OTHER_FORMATS.has(vendor) ? vendor : undefined;
  }
  if (JSON_TYPES.has(type)) return 'json';
  const subtype = type.startsWith('application/')
    ? type.slice('application/'.length) : '';
  return OTHER_FORMATS.has(subtype) ? subtype : undefined;
}

function parseParams(raw: string[]): Map<string, string> | undefined {
  const params = new Map<string, string>();
  for (const part of raw) {
    if (part.trim() === '') continue;
    const equals = part.indexOf('=');
    if (equals < 0) return undefined;
    const key = part.slice(0, equals).trim().toLowerCase();
    const value = part.slice(equals + 1).trim().replace(/^"(.*)"$/, '$1');
    params.set(key, value.toLowerCase());
  }
  return params;
}

/** The only other parameter accepted is `charset=utf-8`. */
function charsetOnly(params: Map<string, string>): boolean {
  for (const [key, value] of params) {
    if (key !== 'charset' || value !== 'utf-8') return false;
  }
  return true;
}
