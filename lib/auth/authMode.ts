import { isIP } from 'node:net';
import { ConfigError } from '../config.js';
import { MlError } from '../errors.js';

/**
 * `ML_AUTH`: whether requests must carry an API key. Off is for a server
 * only this machine can reach; anywhere else anyone could post data to
 * or delete any job.
 */
export type AuthMode = 'on' | 'off';

/**
 * Only IP literals count: a name such as `localhost` resolves through
 * the hosts file and could point anywhere.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare) === 4) return bare.split('.')[0] === '127';
  if (isIP(bare) !== 6) return false;

  const lower = bare.toLowerCase();
  if (lower === '::1' || lower === '0:0:0:0:0:0:0:1') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  return mapped !== null && isLoopbackHost(mapped[1]);
}

/**
 * Throws a ConfigError with the reason when `mode` is not allowed on
 * `host`: two settings that do not go together.
 */
export function checkAuthMode(mode: AuthMode, host: string): void {
  if (mode === 'on' || isLoopbackHost(host)) return;
  throw new ConfigError(`ML_AUTH=off is refused on host ${host}: without API `
    + 'keys anyone who reaches the server could post data to and delete '
    + 'any job. Listen on loopback only (127.0.0.1 or ::1) or set '
    + 'ML_AUTH=on.');
}

/**
 * Whether a Host header names this machine: `localhost`, a 127.x.x.x or
 * ::1 literal (IPv6 in brackets), each with or without a port. Browsers
 * resolve `localhost` to loopback themselves; any other name may be one
 * whose DNS a web page's owner points at 127.0.0.1 (DNS rebinding).
 */
export function isLoopbackHostHeader(header: string): boolean {
  const match = /^(\[[^\]]*\]|[^:[\]]*)(?::\d{1,5})?$/.exec(header);
  if (match === null) return false;
  const name = match[1];
  if (name.toLowerCase() === 'localhost') return true;
  // isLoopbackHost takes IPv6 in brackets or bare; here only in brackets.
  if (!name.startsWith('[') && name.includes(':')) return false;
  return isLoopbackHost(name);
}

/** The longest part of a Host header quoted in an answer. */
const MAX_QUOTED_HOST_CHARS = 100;

/**
 * With API keys off, what stands in for them: a browser is kept out,
 * since any page it shows could otherwise post data to and delete jobs
 * on a server at 127.0.0.1. A request with `Origin` was sent by a page
 * (forms included, whose text/plain bodies need no preflight); one whose
 * Host is not loopback came through a name that is not this machine's.
 * Returns the 403 to answer, or undefined for a request to serve.
 */
export function localOnlyRefusal(
  headers: { host?: string; origin?: string },
): MlError | undefined {
  if (headers.origin !== undefined) {
    return new MlError(403, 'security_exception', 'A request with an '
      + 'Origin header is refused while ML_AUTH=off: it comes from a web '
      + 'page, and without API keys any page could post data to and '
      + 'delete jobs on this server. Send it without Origin, or turn API '
      + 'keys on (ML_AUTH=on)');
  }
  const { host } = headers;
  if (host !== undefined && isLoopbackHostHeader(host)) return undefined;

  const named = host === undefined ? 'A request without a Host header'
    : `The Host header [${host.slice(0, MAX_QUOTED_HOST_CHARS)}]`;
  return new MlError(403, 'security_exception', `${named} is refused while `
    + 'ML_AUTH=off: only localhost, 127.x.x.x and [::1] (with any port) '
    + 'are answered, so that no web page reaches this server through a '
    + 'name of its own (DNS rebinding). Connect to 127.0.0.1 or '
    + 'localhost, or turn API keys on (ML_AUTH=on)');
}
