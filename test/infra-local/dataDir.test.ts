import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { startLocalStack } from '../../infra/local/stack.js';

let parent: string;
beforeEach(async () => {
  parent = await mkdtemp(join(tmpdir(), 'ml-intake-mode-'));
});
afterEach(async () => {
  await rm(parent, { recursive: true, force: true });
});

const start = (dataDir: string) => startLocalStack({
  host: '127.0.0.1', port: 0, s3Port: 0, dataDir,
  logger: pino({ level: 'silent' }),
});

/** The permission bits other users of the machine have, e.g. 0o055. */
const othersBits = async (path: string) => (await stat(path)).mode & 0o077;

test('makes a new data folder readable by its owner only', async () => {
  const dataDir = join(parent, 'new', '.data');

  await (await start(dataDir)).close();

  expect(await othersBits(dataDir)).toBe(0);
  expect((await readdir(dataDir)).sort())
    .toEqual(['api-key', 'dynamodb', 's3']);
  expect(await othersBits(join(dataDir, 'dynamodb'))).toBe(0);
  expect(await othersBits(join(dataDir, 's3'))).toBe(0);
  expect(await othersBits(join(dataDir, 'api-key'))).toBe(0);
});

test('closes the stores of a data folder made open by an earlier start',
  async () => {
    // As an earlier version left it: everything 0755.
    const dataDir = join(parent, 'old');
    for (const dir of ['dynamodb', 's3']) {
      await mkdir(join(dataDir, dir), { recursive: true, mode: 0o755 });
    }

    await (await start(dataDir)).close();

    expect(await othersBits(join(dataDir, 'dynamodb'))).toBe(0);
    expect(await othersBits(join(dataDir, 's3'))).toBe(0);
  });
