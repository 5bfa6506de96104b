import { matchesWildcard } from '../wildcard.js';

/**
 * `?filter_path`: keeps only the response fields named by comma-separated
 * dotted paths, where `*` matches within one name and `**` any depth; a
 * path starting with `-` removes fields instead. Arrays are filtered
 * element by element, and objects left empty are dropped, as
 * Elasticsearch does.
 */
export function filterResponse(value: unknown, filterPath: string): unknown {
  const paths = filterPath.split(',').map((p) => p.trim()).filter(Boolean);
  const start = (pattern: Pattern) => ({ pattern, at: 0 });
  const includes = paths.filter((p) => !p.startsWith('-'))
    .map((p) => start(compile(p)));
  const excludes = paths.filter((p) => p.startsWith('-'))
    .map((p) => start(compile(p.slice(1))));

  let result = value;
  if (includes.length > 0) result = keep(result, includes) ?? {};
  if (excludes.length > 0) result = drop(result, excludes) ?? {};
  return result;
}

/** One dotted path: names with `*` wildcards, and `**` for any depth. */
type Pattern = readonly string[];

/**
 * How far each path got: the index of the next name to match in it. The
 * paths come from the query string, so a state is kept once however many
 * ways lead to it: `**.**.**` would otherwise multiply at every level.
 */
type Progress = ReadonlyArray<{ pattern: Pattern; at: number }>;

function compile(path: string): Pattern {
  // `**.**` means what `**` means.
  return path.split('.').filter((name, i, names) =>
    name !== '**' || names[i - 1] !== '**');
}

/** Where each path goes after `key` is matched one level deeper. */
function advance(progress: Progress, key: string): Progress {
  const next: Array<{ pattern: Pattern; at: number }> = [];
  const seen = new Map<Pattern, Set<number>>();
  const add = (pattern: Pattern, at: number) => {
    const ats = seen.get(pattern) ?? new Set<number>();
    seen.set(pattern, ats);
    if (ats.has(at)) return;
    ats.add(at);
    next.push({ pattern, at });
  };
  const step = (pattern: Pattern, at: number) => {
    const name = pattern[at];
    if (name === undefined) return;
    if (name === '**') {
      add(pattern, at);
      step(pattern, at + 1);
    } else if (matchesWildcard(name, key)) {
      add(pattern, at + 1);
    }
  };
  for (const { pattern, at } of progress) step(pattern, at);
  return next;
}

const complete = ({ pattern, at }: Progress[number]): boolean =>
  at === pattern.length || (at === pattern.length - 1 && pattern[at] === '**');

function keep(value: unknown, patterns: Progress): unknown {
  if (Array.isArray(value)) {
    const kept = value.map((item) => keep(item, patterns))
      .filter((item) => item !== undefined);
    return kept.length > 0 ? kept : undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;

  // Entries, not assignments: a field named `__proto__` would set the
  // prototype instead of being kept.
  const kept: Array<[string, unknown]> = [];
  for (const [key, field] of Object.entries(value)) {
    const next = advance(patterns, key);
    if (next.some(complete)) {
      kept.push([key, field]);
      continue;
    }
    if (next.length === 0) continue;
    const inner = keep(field, next);
    if (inner !== undefined) kept.push([key, inner]);
  }
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

function drop(value: unknown, patterns: Progress): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => drop(item, patterns))
      .filter((item) => item !== undefined);
  }
  if (typeof value !== 'object' || value === null) return value;

  const left: Array<[string, unknown]> = [];
  for (const [key, field] of Object.entries(value)) {
    const next = advance(patterns, key);
    if (next.some(complete)) continue;
    const inner = next.length === 0 ? field : drop(field, next);
    if (inner !== undefined) left.push([key, inner]);
  }
  return left.length > 0 ? Object.fromEntries(left) : undefined;
}
