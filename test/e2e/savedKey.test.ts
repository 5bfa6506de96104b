import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  firstKeyMessage, saveKeyFile,
} from '../../infra/local/firstKey.js';
import { createLocalKey } from '../../infra/local/localKeys.js';
import { startLocalStack } from '../../infra/local/stack.js';
import { run } from '../../lib/cli/index.js';

/** The key in `<data dir>/api-key` checked against the store at start. */

const silent = pino({ level: 'silent' });
let dataDir: string;
let keyFile: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ml-intake-saved-key-'));
  keyFile = join(dataDir, 'api-key');
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const start = () => startLocalStack({
  host: '127.0.0.1', port: 0, s3Port: 0, dataDir, auth: 'on',
  logger: silent,
});

const savedKey = async () => (await readFile(keyFile, 'utf8')).trim();

async function call(url: string, method: string, path: string,
  key: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: { authorization: `ApiKey ${key}`,
      'content-type': 'application/json' },
  });
  return { status: response.status, json: await response.json() as any };
}

/** The start after `change` ran against a running stack. */
async function outcomeAfter(
  change: (url: string, key: string) => Promise<unknown>,
) {
  const first = await start();
  try {
    await change(first.url, await savedKey());
  } finally {
    await first.close();
  }
  const second = await start();
  await second.close();
  return second;
}

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    stdout: (text) => { stdout += text; }, stderr: (text) => { stderr += text; },
    stdin: process.stdin, env: {}, createLocalKey,
  });
  return { code, stdout, stderr };
}

const renewal = (reason: string, dir: string) => `The API key in `
  + `${dir}/api-key ${reason}: ${RENEW(dir)}`;
const RENEW = (dir: string) => 'use another key you created, or stop the '
  + 'server and save a new one there with \'ml-intake keys create --local '
  + `--data-dir ${dir} --save'.`;

describe('a start with a saved key that no longer works', () => {
  test('after {"name":"*"} revoked it says so in one line', async () => {
    const second = await outcomeAfter((url, key) => call(url, 'DELETE',
      '/_security/api_key', key, { name: '*' }));

    expect(second.firstKey?.savedKey).toBe('revoked');
    expect(firstKeyMessage(second.firstKey!, second.url))
      .toBe(renewal('has been revoked', dataDir));
  });

  test('says so for an expired key', async () => {
    const second = await outcomeAfter(async (url, key) => {
      const brief = await call(url, 'POST', '/_security/api_key', key,
        { name: 'brief', expiration: '1s' });
      await saveKeyFile(keyFile, brief.json.encoded);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
    });

    expect(second.firstKey?.savedKey).toBe('expired');
    expect(firstKeyMessage(second.firstKey!, second.url))
      .toBe(renewal('has expired', dataDir));
  });

  test('says so for a key the store does not hold', async () => {
    let first = '';
    await outcomeAfter(async (_url, key) => { first = key; });
    // base64 of `not:akey`, then the first key's id with a wrong secret.
    const [id] = Buffer.from(first, 'base64').toString().split(':');
    for (const text of ['bm90OmFrZXk=',
      Buffer.from(`${id}:wrong`).toString('base64'), 'garbage!']) {
      const second = await outcomeAfter(() => saveKeyFile(keyFile, text));

      expect(second.firstKey?.savedKey).toBe('unknown');
      expect(firstKeyMessage(second.firstKey!, second.url))
        .toBe(renewal('is not a key of this data folder', dataDir));
    }
  });

  test('works again with the key that keys create --local --save wrote',
    async () => {
      await outcomeAfter((url, key) => call(url, 'DELETE',
        '/_security/api_key', key, { name: '*' }));
      const revoked = await savedKey();

      const made = await cli(['keys', 'create', '--local', '--data-dir',
        dataDir, '--name', 'renewed', '--save']);
      const stack = await start();
      try {
        const renewed = await savedKey();
        const jobs = await call(stack.url, 'GET', '/_ml/anomaly_detectors',
          renewed);

        expect(made.code).toBe(0);
        expect(made.stdout).toContain(`export ML_API_KEY=${renewed}\n`);
        expect(made.stdout).toContain(`It is saved in ${keyFile}, readable `
          + "by you only, where 'ml-intake serve' looks for it.\n");
        expect(renewed).not.toBe(revoked);
        expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
        expect(stack.firstKey?.savedKey).toBe('valid');
        expect(firstKeyMessage(stack.firstKey!, stack.url))
          .toContain(`export ML_API_KEY=$(cat ${keyFile})`);
        expect(jobs.status).toBe(200);
      } finally {
        await stack.close();
      }
    });

  test('says how to save a new one when the file is gone', async () => {
    const second = await outcomeAfter(() => rm(keyFile));

    expect(second.firstKey?.savedKey).toBe('missing');
    expect(firstKeyMessage(second.firstKey!, second.url)).toBe('API keys '
      + `are required, and ${keyFile} is gone: ${RENEW(dataDir)}`);
  });

  test('--save without --local is refused', async () => {
    const result = await cli(['keys', 'create', '--save']);

    expect(result).toEqual({ code: 1, stdout: '',
      stderr: 'ml-intake: --save goes with --local\n' });
  });
});
