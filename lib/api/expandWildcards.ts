import { MlError } from '../errors.js';

/** The values of Elasticsearch's `expand_wildcards` index option. */
const WILDCARD_STATES = new Set(['open', 'closed', 'hidden', 'none', 'all']);

/**
 * Checks `expand_wildcards` as Elasticsearch parses it: a comma list of
 * the states above, in lower case, without spaces. Nothing here reads
 * indices, so a valid value is otherwise unused.
 */
export function checkExpandWildcards(raw: string | undefined): void {
  if (raw === undefined) return;

  for (const item of raw.split(',')) {
    if (WILDCARD_STATES.has(item)) continue;
    throw new MlError(400, 'illegal_argument_exception',
      `No valid expand wildcard value [${item}]`);
  }
}
