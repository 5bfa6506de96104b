import { describe, expect, test } from 'vitest';
import {
  encodeApiKey, generateKeyId, generateSecret, hashSecret, isKeyId,
  secretDigest, verifySecret,
} from '../../lib/auth/secretHash.js';

const CHEAP = { N: 1024, r: 8, p: 1 };

describe('secrets and their hashes', () => {
  test('a generated secret has at least 128 bits of randomness', () => {
    const secret = generateSecret();
    // 22 base64url characters carry 132 bits; 16 random bytes fill them.
    expect(secret).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(secret, 'base64url').length).toBe(16);
  });

  test('a generated id is URL-safe and never repeats in a thousand', () => {
    const ids = new Set(Array.from({ length: 1000 }, generateKeyId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{20}$/);
  });

  test('every generated id has the shape isKeyId accepts', () => {
    for (let i = 0; i < 1000; i += 1) {
      expect(isKeyId(generateKeyId())).toBe(true);
    }
  });

  test.each(['', 'admin', 'a'.repeat(19), 'a'.repeat(21), `${'a'.repeat(19)}=`,
    `${'a'.repeat(19)}/`, `${'a'.repeat(19)}\u00e9`])(
    'isKeyId refuses %j', (text) => {
      expect(isKeyId(text)).toBe(false);
    });

  test('the hash never contains the secret and names its parameters',
    async () => {
      const secret = generateSecret();
      const stored = await hashSecret(secret, CHEAP);
      expect(stored).not.toBe(secret);
      expect(stored).not.toContain(secret);
      expect(stored).toMatch(/^scrypt\$1024\$8\$1\$[^$]+\$[^$]+$/);
    });

  test('two hashes of one secret differ by their salt', async () => {
    const secret = generateSecret();
    const first = await hashSecret(secret, CHEAP);
    const second = await hashSecret(secret, CHEAP);
    expect(first).not.toBe(second);
  });

  test('verifies the right secret and refuses a wrong one', async () => {
    const stored = await hashSecret('right-secret', CHEAP);
    expect(await verifySecret('right-secret', stored)).toBe(true);
    expect(await verifySecret('wrong-secret', stored)).toBe(false);
    expect(await verifySecret('', stored)).toBe(false);
  });

  test('verifies with the default cost', async () => {
    const stored = await hashSecret('s3cret');
    expect(stored.startsWith('scrypt$16384$8$1$')).toBe(true);
    expect(await verifySecret('s3cret', stored)).toBe(true);
  });

  test('refuses rather than throws on a stored value it cannot read',
    async () => {
      expect(await verifySecret('x', 'plain-text')).toBe(false);
      expect(await verifySecret('x', 'scrypt$0$8$1$AA==$AA==')).toBe(false);
      expect(await verifySecret('x', 'bcrypt$1$2$3$AA==$AA==')).toBe(false);
    });

  test('encodes id and secret as the header credential', () => {
    // base64("abc:def") by hand: YWJj OmRl Zg==.
    expect(encodeApiKey('abc', 'def')).toBe('YWJjOmRlZg==');
  });

  test('the cache digest is a fixed-size stand-in for the secret', () => {
    // SHA-256 is 32 bytes: 43 base64url characters without padding.
    expect(secretDigest('def')).toHaveLength(43);
    expect(secretDigest('def')).toBe(secretDigest('def'));
    expect(secretDigest('def')).not.toBe(secretDigest('deg'));
  });
});
