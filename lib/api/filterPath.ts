/**
 * `?filter_path`: keeps only the response fields named by comma-separated
 * dotted paths, where `*` matches within one name and `**` any depth; a
 * path starting with `-` removes fields instead. Arrays are filtered
 * element by element, and objects left empty are dropped, as
 * Elasticsearch does.
 */
export function filterResponse(value: unknown, filterPath: string): unknown {
  const paths = filterPath.split(',').map((p) => p.trim()).filter(Boolean);
  const includes = paths.filter((p) => !p.startsWith('-')).map(compile);
  const excludes = paths.filter((p) => p.startsWith('-'))
    .map((p) => compile(p.slice(1)));

  let result = value;
  if (includes.length > 0) result = keep(result, includes) ?? {};
  if (excludes.length > 0) result = drop(result, excludes) ?? {};
  return result;
}

type Pattern = Array<RegExp | '**'>;

function compile(path: string): Pattern {
  return path.split('.').map((name) => {
    if (name === '**') return '**';
    const escaped = name.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`^${escaped.replace(/\*/g, '.*')}$`);
  });
}

/** The patterns left after `key` is matched against each of `patterns`. */
function advance(patterns: Pattern[], key: string): Pattern[] {
  const next: Pattern[] = [];
  for (const pattern of patterns) {
    const [head, ...rest] = pattern;
    if (head === '**') {
      next.push(pattern);
      next.push(...advance([rest], key));
    } else if (head !== undefined && head.test(key)) {
      next.push(rest);
    }
  }
  return next;
}

const complete = (pattern: Pattern): boolean =>
  pattern.length === 0 || (pattern.length === 1 && pattern[0] === '**');

function keep(value: unknown, patterns: Pattern[]): unknown {
  if (Array.isArray(value)) {
    const kept = value.map((item) => keep(item, patterns))
      .filter((item) => item !== undefined);
    return kept.length > 0 ? kept : undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;

  const kept: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const next = advance(patterns, key);
    if (next.some(complete)) {
      kept[key] = field;
      continue;
    }
    if (next.length === 0) continue;
    const inner = keep(field, next);
    if (inner !== undefined) kept[key] = inner;
  }
  return Object.keys(kept).length > 0 ? kept : undefined;
}

function drop(value: unknown, patterns: Pattern[]): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => drop(item, patterns))
      .filter((item) => item !== undefined);
  }
  if (typeof value !== 'object' || value === null) return value;

  const left: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const next = advance(patterns, key);
    if (next.some(complete)) continue;
    const inner = next.length === 0 ? field : drop(field, next);
    if (inner !== undefined) left[key] = inner;
  }
  return Object.keys(left).length > 0 ? left : undefined;
}
