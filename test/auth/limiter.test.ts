import { describe, expect, test } from 'vitest';
import { createLimiter } from '../../lib/auth/limiter.js';

/** A task that runs until the test ends it. */
function heldTask(log: string[], name: string) {
  let finish = () => {};
  const task = () => {
    log.push(`start ${name}`);
    return new Promise<string>((resolve) => {
      finish = () => {
        log.push(`end ${name}`);
        resolve(name);
      };
    });
  };
  return { task, finish: () => finish() };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('createLimiter', () => {
  test('starts the third task only after one of two finishes', async () => {
    const limiter = createLimiter(2);
    const log: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((name) => heldTask(log, name));

    const results = [a, b, c].map((held) => limiter.run(held.task));
    await tick();
    expect(log).toEqual(['start a', 'start b']);
    expect([limiter.running, limiter.waiting]).toEqual([2, 1]);

    b.finish();
    await tick();
    expect(log).toEqual(['start a', 'start b', 'end b', 'start c']);

    a.finish();
    c.finish();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c']);
    expect([limiter.running, limiter.waiting]).toEqual([0, 0]);
  });

  test('starts waiting tasks in the order they arrived', async () => {
    const limiter = createLimiter(1);
    const log: string[] = [];
    const held = ['a', 'b', 'c', 'd'].map((name) => heldTask(log, name));

    const results = held.map((h) => limiter.run(h.task));
    for (const h of held) {
      await tick();
      h.finish();
    }

    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd']);
    expect(log.filter((line) => line.startsWith('start')))
      .toEqual(['start a', 'start b', 'start c', 'start d']);
  });

  test('frees the slot of a task that fails', async () => {
    const limiter = createLimiter(1);

    await expect(limiter.run(() => Promise.reject(new Error('bad'))))
      .rejects.toThrow('bad');

    expect(await limiter.run(async () => 'next')).toBe('next');
    expect(limiter.running).toBe(0);
  });

  test('refuses fewer than one slot', () => {
    expect(() => createLimiter(0)).toThrow('at least one slot');
  });
});
