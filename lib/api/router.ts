import type { HttpMethod, RouteSpec } from './routes.js';

export type RouteMatch =
  | { kind: 'route'; route: RouteSpec; pathParams: Record<string, string> }
  /** The path exists, but not for this method (405, or OPTIONS). */
  | { kind: 'other-methods'; allowed: HttpMethod[] }
  | { kind: 'none' };

type Segment = { literal: string } | { param: string };

interface CompiledPath {
  route: RouteSpec;
  segments: Segment[];
}

const METHOD_ORDER: readonly HttpMethod[] = ['GET', 'PUT', 'POST', 'DELETE'];

/**
 * Matches request paths against route patterns the way Elasticsearch's
 * path trie does: at each segment a literal beats a `{param}`, and the
 * most literal pattern that has the request's method wins.
 */
export function createRouter(
  routes: readonly RouteSpec[],
): (method: string, path: string) => RouteMatch {
  const compiled = routes.flatMap((route) => route.paths.map((path) => ({
    route, segments: splitPath(path).map(toSegment),
  })));

  return (method, path) => {
    const segments = splitPath(path);
    const candidates = compiled
      .filter((entry) => fits(entry, segments))
      .sort((a, b) => compareRanks(rank(a), rank(b)));
    if (candidates.length === 0) return { kind: 'none' };

    const chosen = candidates.find((c) => c.route.method === method);
    if (chosen === undefined) {
      const methods = new Set(candidates.map((c) => c.route.method));
      const allowed = METHOD_ORDER.filter((m) => methods.has(m));
      return { kind: 'other-methods', allowed };
    }

    return {
      kind: 'route',
      route: chosen.route,
      pathParams: bindParams(chosen.segments, segments),
    };
  };
}

/** Segments of a path; a trailing slash is ignored, as Elasticsearch does. */
function splitPath(path: string): string[] {
  const parts = path.split('/');
  if (parts[0] === '') parts.shift();
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function toSegment(part: string): Segment {
  const param = /^\{(\w+)\}$/.exec(part);
  return param === null ? { literal: part } : { param: param[1] };
}

function fits(entry: CompiledPath, segments: string[]): boolean {
  if (entry.segments.length !== segments.length) return false;
  return entry.segments.every((segment, i) =>
    'param' in segment ? segments[i] !== '' : segment.literal === segments[i]);
}

function rank(entry: CompiledPath): number[] {
  return entry.segments.map((segment) => ('param' in segment ? 1 : 0));
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

function bindParams(
  pattern: Segment[], segments: string[],
): Record<string, string> {
  const params: Record<string, string> = {};
  pattern.forEach((segment, i) => {
    if ('param' in segment) params[segment.param] = decodeSegment(segments[i]);
  });
  return params;
}

/** A malformed escape is kept as sent; the job id check then refuses it. */
function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
