import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createLocalKey } from '../../infra/local/localKeys.js';
import { startLocalStack } from '../../infra/local/stack.js';
import { run } from '../../lib/cli/index.js';

/** The CLI in-process, with the local key maker bin/ml-intake.ts gives. */
async function cli(args: string[], withLocalKeys = true) {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    stdout: (text) => { stdout += text; },
    stderr: (text) => { stderr += text; },
    stdin: process.stdin,
    env: {},
    createLocalKey: withLocalKeys ? createLocalKey : undefined,
  });
  return { code, stdout, stderr };
}

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ml-intake-cli-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

test('creating a local key while the server runs says to use the server',
  async () => {
    const stack = await startLocalStack({ host: '127.0.0.1', port: 0,
      dataDir, logger: pino({ level: 'silent' }) });
    try {
      const result = await cli(['keys', 'create', '--local', '--data-dir',
        dataDir]);

      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp('^ml-intake: the local data '
        + 'in .* is in use by a running server; create the key through it '
        + 'instead'));
      expect(result.stderr.split('\n')).toHaveLength(2);
    } finally {
      await stack.close();
    }
  });

test('creates a local key once the server is stopped', async () => {
  const result = await cli(['--json', 'keys', 'create', '--local',
    '--data-dir', dataDir, '--name', 'first']);

  expect(result.stderr).toBe('');
  const key = JSON.parse(result.stdout);
  expect(key.name).toBe('first');
  // `encoded` is base64 of `id:api_key`.
  expect(Buffer.from(key.encoded, 'base64').toString())
    .toBe(`${key.id}:${key.api_key}`);
});

test('gives a local key the expiration asked for', async () => {
  const before = Date.now();
  const result = await cli(['--json', 'keys', 'create', '--local',
    '--data-dir', dataDir, '--name', 'brief', '--expiration', '1d']);

  expect(result.stderr).toBe('');
  // 1d is 86,400,000 ms after the creation, which is within this test.
  const { expiration } = JSON.parse(result.stdout);
  expect(expiration).toBeGreaterThanOrEqual(before + 86_400_000);
  expect(expiration).toBeLessThanOrEqual(Date.now() + 86_400_000);
});

test('says --local is not available where no local key maker is given',
  async () => {
    const result = await cli(['keys', 'create', '--local', '--data-dir',
      dataDir], false);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'ml-intake: --local is not available here\n');
  });
