/**
 * Reading `Authorization: ApiKey base64(id:secret)` the way Elasticsearch
 * does: the scheme is matched case-insensitively and must be followed by
 * a space and at least one character; anything else is "no API key" (and
 * with no other scheme here, no credentials at all).
 */
export type ApiKeyHeader =
  | { kind: 'absent' }
  | { kind: 'malformed'; message: string }
  | { kind: 'present'; id: string; secret: string };

const SCHEME_WITH_SPACE = 'apikey ';

export function readApiKeyHeader(value: string | undefined): ApiKeyHeader {
  if (value === undefined || value.trim() === '') return { kind: 'absent' };
  const prefix = value.slice(0, SCHEME_WITH_SPACE.length).toLowerCase();
  if (prefix !== SCHEME_WITH_SPACE) return { kind: 'absent' };
  if (value.length === SCHEME_WITH_SPACE.length) return { kind: 'absent' };

  const decoded = decodeBase64Strictly(value.slice(SCHEME_WITH_SPACE.length));
  if (typeof decoded !== 'string') return decoded;

  // The id is everything before the first colon and may not be empty.
  const colon = decoded.indexOf(':');
  if (colon < 1) return { kind: 'malformed', message: 'invalid ApiKey value' };

  return {
    kind: 'present',
    id: decoded.slice(0, colon),
    secret: decoded.slice(colon + 1),
  };
}

const BASE64_ALPHABET =
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Node's decoder skips characters it does not know; Java's basic decoder,
 * which the original uses, rejects them. These checks give Java's
 * messages for the common faults: a character outside the alphabet and
 * a dangling final character. Padding is optional, as in Java.
 */
function decodeBase64Strictly(
  text: string,
): string | { kind: 'malformed'; message: string } {
  const padAt = text.indexOf('=');
  const body = padAt < 0 ? text : text.slice(0, padAt);
  const padding = padAt < 0 ? '' : text.slice(padAt);

  for (const char of body) {
    if (BASE64_ALPHABET.includes(char)) continue;
    const code = char.codePointAt(0) ?? 0;
    return malformed(`Illegal base64 character ${code.toString(16)}`);
  }
  if (body.length % 4 === 1) {
    return malformed('Last unit does not have enough valid bits');
  }
  if (padding !== '' && !validPadding(body.length, padding)) {
    return malformed(
      `Input byte array has incorrect ending byte at ${body.length}`);
  }

  return Buffer.from(body, 'base64').toString('utf8');
}

function validPadding(bodyLength: number, padding: string): boolean {
  const expected = (4 - (bodyLength % 4)) % 4;
  return expected > 0 && padding === '='.repeat(expected);
}

function malformed(message: string): { kind: 'malformed'; message: string } {
  return { kind: 'malformed', message };
}
