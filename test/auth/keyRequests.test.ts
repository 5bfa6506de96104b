import { describe, expect, test } from 'vitest';
import {
  readCreateKeyRequest, readExpiration,
} from '../../lib/auth/keyRequests.js';
import { MlError } from '../../lib/errors.js';

function refusal(read: () => unknown): MlError {
  let error: unknown;
  try {
    read();
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(MlError);
  return error as MlError;
}

describe('readCreateKeyRequest', () => {
  test.each([
    [{}, 'Validation Failed: 1: api key name is required;'],
    [{ name: '' }, 'Validation Failed: 1: api key name is required;'],
    [{ name: ' x' }, 'Validation Failed: 1: api key name may not begin or '
      + 'end with whitespace;'],
    [{ name: '_x' }, 'Validation Failed: 1: api key name may not begin '
      + 'with an underscore;'],
    [{ name: 'x'.repeat(257) }, 'Validation Failed: 1: api key name may not '
      + 'be more than 256 characters long;'],
    [{ name: `_${'x'.repeat(256)}` }, 'Validation Failed: 1: api key name '
      + 'may not be more than 256 characters long;2: api key name may not '
      + 'begin with an underscore;'],
    [{ name: 'tab\there' }, 'Validation Failed: 1: api key name may not '
      + 'contain control characters;'],
    [{ name: 'del\u007f' }, 'Validation Failed: 1: api key name may not '
      + 'contain control characters;'],
    [{ name: '_*\u0000\ud800' }, 'Validation Failed: 1: api key name may not '
      + 'begin with an underscore;2: api key name may not contain control '
      + 'characters;3: api key name may not contain unpaired surrogates;'
      + '4: api key name may not contain [*];'],
  ])('refuses the name of %j', (body, reason) => {
    const error = refusal(() => readCreateKeyRequest(body));
    expect(error.status).toBe(400);
    expect(error.type).toBe('action_request_validation_exception');
    expect(error.message).toBe(reason);
  });
});

describe('readExpiration', () => {
  test.each([
    ['1d', 86_400_000],
    ['2h', 7_200_000],
    ['90m', 5_400_000],
    ['30s', 30_000],
    ['2500ms', 2000], // whole seconds only, as the original adds seconds
    ['1D', 86_400_000],
  ])('reads %s as %i ms', (text, ms) => {
    expect(readExpiration(text)).toBe(ms);
  });

  test('reads no expiration as null', () => {
    expect(readExpiration(undefined)).toBeNull();
    expect(readExpiration(null)).toBeNull();
  });

  test.each(['1w', '-1d', '1.5h', 'd', ''])('refuses %j', (text) => {
    expect(() => readExpiration(text)).toThrow(MlError);
  });

  test('refuses a number', () => {
    expect(() => readExpiration(86_400)).toThrow(MlError);
  });

  test('accepts up to 1,000,000 days', () => {
    // 1,000,000 d * 86,400,000 ms/d = 86,400,000,000,000 ms.
    expect(readExpiration('1000000d')).toBe(86_400_000_000_000);
  });

  test.each([
    ['-1d', 'negative durations are not supported'],
    ['0s', 'an API key must last at least [1s]'],
    ['999ms', 'an API key must last at least [1s]'],
    ['1000001d', 'an API key may last at most [1000000d]; leave expiration '
      + 'out for a key that never expires'],
    ['99999999999d', 'an API key may last at most [1000000d]; leave '
      + 'expiration out for a key that never expires'],
  ])('refuses %s with 400 and says why', (text, why) => {
    const error = refusal(() => readExpiration(text));
    expect(error.status).toBe(400);
    expect(error.type).toBe('illegal_argument_exception');
    expect(error.message).toBe('failed to parse setting '
      + `[expiration] with value [${text}] as a time value: ${why}`);
  });
});

describe('role descriptors of a new key', () => {
  const withRoles = (roles: Record<string, unknown>) =>
    readCreateKeyRequest({ name: 'k', role_descriptors: roles });

  test('take at most 100 roles, which fit in a stored key', () => {
    const roles = (n: number) => Object.fromEntries(Array.from({ length: n },
      (_, i) => [`role-${i}`, { cluster: ['monitor_ml'] }]));
    expect(withRoles(roles(100)).privileges).toEqual(['monitor_ml']);

    const error = refusal(() => withRoles(roles(101)));
    expect(error.status).toBe(400);
    expect(error.message).toBe(
      'an API key may have at most 100 role descriptors, got 101');
  });

  test.each([
    ['x'.repeat(508), 'role name [' + 'x'.repeat(40) + '...] must be at '
      + 'least 1 and no more than 507 characters long'],
    ['', 'role name [] must be at least 1 and no more than 507 characters '
      + 'long'],
    ['nul\u0000', 'role names may hold printable ASCII characters only, '
      + 'and no whitespace at either end: [nul\\u0000]'],
    [' padded', 'role names may hold printable ASCII characters only, and '
      + 'no whitespace at either end: [ padded]'],
  ])('refuse the role name %j', (role, problem) => {
    const error = refusal(() => withRoles({ [role]: { cluster: [] } }));
    expect(error.type).toBe('action_request_validation_exception');
    expect(error.message).toBe(`Validation Failed: 1: ${problem};`);
  });

  test('keep a privilege named many times once', () => {
    const read = withRoles({ r: { cluster: Array(10_000).fill('all') } });
    expect(read.roleDescriptors).toEqual({ r: { cluster: ['all'] } });
  });
});

test('an expiration nested 200,000 arrays deep is a 400, not a stack '
  + 'overflow', () => {
  let deep: unknown = '1d';
  for (let i = 0; i < 200_000; i += 1) deep = [deep];

  const error = refusal(() => readExpiration(deep));
  expect(error.status).toBe(400);
  expect(error.message).toBe('failed to parse setting [expiration] with '
    + 'value [[...]] as a time value: unit is missing or unrecognized');
});
