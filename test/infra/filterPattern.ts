/**
 * Whether a CloudWatch Logs filter pattern selects a log event, for the
 * only form the template uses: a JSON pattern of equalities with quoted
 * text joined by `&&`, as in `{ $.msg = "ingest failed" }`. CloudWatch
 * reads a JSON pattern only from an event that is a JSON object; this
 * reader compares strings only, without wildcards. Any other form throws,
 * so a new kind of pattern needs its reader here first.
 */
export function filterPatternMatches(pattern: string, event: string): boolean {
  const terms = termsOf(pattern);
  let parsed: unknown;
  try {
    parsed = JSON.parse(event);
  } catch {
    return false;
  }
  return terms.every(({ path, value }) => valueAt(parsed, path) === value);
}

interface Term {
  path: string[];
  value: string;
}

const JSON_PATTERN = /^\{\s*(.*?)\s*\}$/s;
const TERM = /^\$((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*=\s*"([^"\\*]*)"$/;

function termsOf(pattern: string): Term[] {
  const body = JSON_PATTERN.exec(pattern.trim())?.[1];
  if (body === undefined) throw new Error(`not a JSON pattern: ${pattern}`);
  return body.split('&&').map((text) => {
    const term = TERM.exec(text.trim());
    if (term === null) throw new Error(`cannot read the term '${text}'`);
    return { path: term[1].slice(1).split('.'), value: term[2] };
  });
}

function valueAt(root: unknown, path: string[]): unknown {
  let at = root;
  for (const name of path) {
    if (typeof at !== 'object' || at === null || Array.isArray(at)) {
      return undefined;
    }
    at = (at as Record<string, unknown>)[name];
  }
  return at;
}
