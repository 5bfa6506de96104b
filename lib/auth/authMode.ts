import { isIP } from 'node:net';

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

/** Throws with the reason when `mode` is not allowed on `host`. */
export function checkAuthMode(mode: AuthMode, host: string): void {
  if (mode === 'on' || isLoopbackHost(host)) return;
  throw new Error(`ML_AUTH=off is refused on host ${host}: without API `
    + 'keys anyone who reaches the server could post data to and delete '
    + 'any job. Listen on loopback only (127.0.0.1 or ::1) or set '
    + 'ML_AUTH=on.');
}
