import { inject, expect, test } from 'vitest';

test('the run provides a dynalite endpoint on loopback', () => {
  expect(inject('dynamoUrl')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});
