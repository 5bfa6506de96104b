import { describe, expect, test } from 'vitest';
import { matchesWildcard } from '../lib/wildcard.js';

describe('matchesWildcard', () => {
  test.each([
    ['farequote', 'farequote', true],
    ['farequote', 'farequote2', false],
    ['fare*', 'farequote', true],
    ['*quote', 'farequote', true],
    ['f*e*e', 'farequote', true],
    ['f*x*e', 'farequote', false],
    ['*', '', true],
    ['', '', true],
    ['', 'a', false],
    ['a**b', 'ab', true],
    ['*a*', 'bab', true],
    // A star may take a run that holds the next literal: a*b on aXbXb.
    ['a*b', 'aXbXb', true],
    ['a*bc', 'abXbc', true],
    ['a*bc', 'abXbd', false],
    // Only `*` is special: dots and brackets are literal.
    ['a.b*', 'a.bc', true],
    ['a.b*', 'aXbc', false],
    ['[x]*', '[x]y', true],
  ])('%j against %j is %s', (pattern, text, expected) => {
    expect(matchesWildcard(pattern, text)).toBe(expected);
  });

  test('answers a pattern of 4,000 stars and a letter that never matches',
    () => {
      // Built as a regular expression, this pattern backtracks for longer
      // than the test may run; 64 characters is the longest job id.
      const pattern = `${'*'.repeat(4_000)}Z`;
      expect(matchesWildcard(pattern, 'a'.repeat(64))).toBe(false);
      expect(matchesWildcard(pattern, `${'a'.repeat(63)}Z`)).toBe(true);
    });
});
