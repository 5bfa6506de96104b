import { describe, expect, test } from 'vitest';
import { readApiKeyHeader } from '../../lib/auth/credentials.js';

// base64("abc:def") by hand: "abc" -> YWJj, ":de" -> OmRl, "f" -> Zg==.
const ABC_DEF = 'YWJjOmRlZg==';

describe('readApiKeyHeader', () => {
  test('reads the id and the secret of a well-formed header', () => {
    expect(readApiKeyHeader(`ApiKey ${ABC_DEF}`))
      .toEqual({ kind: 'present', id: 'abc', secret: 'def' });
  });

  test('matches the scheme without regard to case', () => {
    expect(readApiKeyHeader(`apikey ${ABC_DEF}`).kind).toBe('present');
    expect(readApiKeyHeader(`APIKEY ${ABC_DEF}`).kind).toBe('present');
  });

  test('accepts a value without its padding, as Java does', () => {
    expect(readApiKeyHeader('ApiKey YWJjOmRlZg'))
      .toEqual({ kind: 'present', id: 'abc', secret: 'def' });
  });

  test('keeps colons after the first one in the secret', () => {
    // base64("a:b:c") by hand: "a:b" -> YTpi, ":c" -> OmM=.
    expect(readApiKeyHeader('ApiKey YTpiOmM='))
      .toEqual({ kind: 'present', id: 'a', secret: 'b:c' });
  });

  test.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['the scheme without a space', `ApiKey${ABC_DEF}`],
    ['the scheme with nothing after it', 'ApiKey '],
  ])('finds no API key in %s', (_label, value) => {
    expect(readApiKeyHeader(value)).toEqual({ kind: 'absent' });
  });

  test('rejects a character outside the base64 alphabet as Java does', () => {
    // '-' is 0x2d; Java's decoder: "Illegal base64 character 2d".
    expect(readApiKeyHeader('ApiKey YWJj-mRl')).toEqual({
      kind: 'malformed', message: 'Illegal base64 character 2d',
    });
  });

  test('rejects a dangling final character as Java does', () => {
    expect(readApiKeyHeader('ApiKey YWJjO')).toEqual({
      kind: 'malformed', message: 'Last unit does not have enough valid bits',
    });
  });

  test('rejects a decoded value without a colon', () => {
    // base64("abcdef") by hand: "abc" -> YWJj, "def" -> ZGVm.
    expect(readApiKeyHeader('ApiKey YWJjZGVm'))
      .toEqual({ kind: 'malformed', message: 'invalid ApiKey value' });
  });

  test('rejects an empty id', () => {
    // base64(":def") by hand: ":de" -> OmRl, "f" -> Zg==.
    expect(readApiKeyHeader('ApiKey OmRlZg=='))
      .toEqual({ kind: 'malformed', message: 'invalid ApiKey value' });
  });
});
