/**
 * Elasticsearch's simple wildcards: `*` stands for any run of characters,
 * possibly empty, and nothing else is special. Patterns come from request
 * paths and query strings, so matching must not backtrack without bound:
 * a regular expression built from `***…*Z` takes time exponential in the
 * number of stars. This walk keeps one place to go back to, the last star,
 * and so takes at most pattern length × text length steps.
 */
export function matchesWildcard(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resumeAt = 0;
  while (t < text.length) {
    if (pattern[p] === '*') {
      star = p;
      p += 1;
      resumeAt = t;
    } else if (p < pattern.length && pattern[p] === text[t]) {
      p += 1;
      t += 1;
    } else if (star >= 0) {
      // Let the last star take one more character and try again.
      p = star + 1;
      resumeAt += 1;
      t = resumeAt;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p += 1;
  return p === pattern.length;
}
