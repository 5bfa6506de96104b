import {
  createHash, randomBytes, scrypt, timingSafeEqual,
  type ScryptOptions,
} from 'node:crypto';

export interface ScryptCost {
  /** CPU and memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
}

/**
 * 2^14 with r = 8 takes about 16 MiB and some tens of ms. The secrets are
 * 128 random bits, so the hash is not what stops guessing; it keeps a
 * leaked table from being replayed. The cost is stored with each hash, so
 * raising it later leaves old keys verifiable.
 */
export const DEFAULT_SCRYPT_COST: ScryptCost = { N: 16_384, r: 8, p: 1 };

const SALT_BYTES = 16;
const HASH_BYTES = 32;
const SCHEME = 'scrypt';

const KEY_ID_BYTES = 15;
/** What generateKeyId makes: 15 bytes are exactly 20 base64url characters. */
const KEY_ID_SHAPE = /^[A-Za-z0-9_-]{20}$/;

/** 15 random bytes: a 20-character URL-safe id, as long as the original's. */
export function generateKeyId(): string {
  return randomBytes(KEY_ID_BYTES).toString('base64url');
}

/**
 * Whether `text` could be an id generateKeyId made. Anything else names no
 * key, so it is answered without a store read; this also keeps values
 * beyond DynamoDB's 2,048-byte partition key limit away from the store.
 */
export function isKeyId(text: string): boolean {
  return KEY_ID_SHAPE.test(text);
}

/** 16 random bytes (128 bits): 22 URL-safe characters. */
export function generateSecret(): string {
  return randomBytes(16).toString('base64url');
}

/** The header value's credential part: `base64(id:secret)`. */
export function encodeApiKey(id: string, secret: string): string {
  return Buffer.from(`${id}:${secret}`, 'utf8').toString('base64');
}

export async function hashSecret(
  secret: string, cost: ScryptCost = DEFAULT_SCRYPT_COST,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await deriveKey(secret, salt, HASH_BYTES, cost);

  return [SCHEME, cost.N, cost.r, cost.p,
    salt.toString('base64'), hash.toString('base64')].join('$');
}

/** False for a wrong secret and for a stored value it cannot read. */
export async function verifySecret(
  secret: string, stored: string,
): Promise<boolean> {
  const parsed = parseStoredHash(stored);
  if (parsed === undefined) return false;

  const { cost, salt, hash } = parsed;
  const candidate = await deriveKey(secret, salt, hash.length, cost);
  return timingSafeEqual(candidate, hash);
}

/**
 * A fast digest of a secret, for the in-process cache key: the cache
 * then holds no secret in clear, and a cached id never matches a
 * different secret.
 */
export function secretDigest(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}

interface ParsedHash {
  cost: ScryptCost;
  salt: Buffer;
  hash: Buffer;
}

function parseStoredHash(stored: string): ParsedHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== SCHEME) return undefined;

  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((n) => Number.isSafeInteger(n) && n > 0)) {
    return undefined;
  }

  const salt = Buffer.from(parts[4], 'base64');
  const hash = Buffer.from(parts[5], 'base64');
  if (salt.length === 0 || hash.length === 0) return undefined;

  return { cost: { N, r, p }, salt, hash };
}

function deriveKey(
  secret: string, salt: Buffer, length: number, cost: ScryptCost,
): Promise<Buffer> {
  // scrypt needs 128 * N * r bytes; the default 32 MiB cap would refuse
  // a raised cost, so the cap follows the cost.
  const options: ScryptOptions = {
    ...cost, maxmem: 256 * cost.N * cost.r,
  };
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, length, options, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}
