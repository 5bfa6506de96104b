import type { ObjectReader } from '../jobs/configReader.js';
import {
  bodyFieldWrongType, notABoolean, unrecognizedParameters,
} from './apiErrors.js';
import { GLOBAL_PARAMS, type Args } from './routes.js';

/**
 * Refuses query parameters the route does not know, naming close matches
 * as Elasticsearch does (similarity above 0.5, best first, then by name).
 */
export function checkQueryParams(
  path: string, query: URLSearchParams, accepted: readonly string[],
): void {
  const known = new Set<string>([...GLOBAL_PARAMS, ...accepted]);
  const unknown = [...new Set(query.keys())]
    .filter((name) => !known.has(name))
    .sort();
  if (unknown.length === 0) return;

  const suggestions = unknown.map((name) => closeMatches(name, [...known]));
  throw unrecognizedParameters(path, unknown, suggestions);
}

function closeMatches(name: string, candidates: string[]): string[] {
  return candidates
    .map((candidate) => ({ candidate, score: similarity(name, candidate) }))
    .filter(({ score }) => score > 0.5)
    .sort((a, b) => b.score - a.score
      || (a.candidate < b.candidate ? -1 : 1))
    .map(({ candidate }) => candidate);
}

/** 1 - edit distance / longer length (Lucene's LevenshteinDistance). */
export function similarity(a: string, b: string): number {
  const longer = Math.max(a.length, b.length);
  if (longer === 0) return 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(current[j - 1] + 1, previous[j] + 1,
        previous[j - 1] + substitution);
    }
    previous = current;
  }
  return 1 - previous[b.length] / longer;
}

/**
 * Elasticsearch's boolean parameters: absent gives the default, an empty
 * value (`?force`) means true, otherwise only `true` or `false`.
 */
export function parseFlag(raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  if (raw === '' || raw === 'true') return true;
  if (raw === 'false') return false;
  throw notABoolean(raw);
}

export function queryArgs(query: URLSearchParams): Args {
  return {
    text: (name) => query.get(name) ?? undefined,
    flag: (name, fallback) => parseFlag(query.get(name) ?? undefined,
      fallback),
  };
}

/**
 * Parameters sent as the fields of a JSON object body, read more loosely
 * than a job's fields: a number is a text and `"true"` a flag.
 */
export function bodyArgs(body: Pick<ObjectReader, 'raw'>): Args {
  return {
    text: (name) => {
      const value = body.raw(name);
      if (value === undefined || value === null) return undefined;
      if (typeof value === 'string') return value;
      if (typeof value === 'number') return String(value);
      throw bodyFieldWrongType(name, 'a string or a number');
    },
    flag: (name, fallback) => {
      const value = body.raw(name);
      if (value === undefined || value === null) return fallback;
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw bodyFieldWrongType(name, 'a boolean');
    },
  };
}
