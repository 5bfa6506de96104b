import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { firstKeyMessage } from '../../infra/local/firstKey.js';
import { startLocalStack } from '../../infra/local/stack.js';

/** The local service with API keys on, over real HTTP. */

const silent = pino({ level: 'silent' });
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ml-intake-auth-'));
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const start = (dir: string) => startLocalStack({
  host: '127.0.0.1', port: 0, dataDir: dir, auth: 'on', logger: silent,
});

describe('the first key of a fresh data folder', () => {
  test('is saved for its owner only and works', async () => {
    const stack = await start(dataDir);
    try {
      const keyFile = join(dataDir, 'api-key');
      expect(stack.firstKey).toEqual(
        { path: keyFile, created: true, savedKey: 'valid' });
      expect((await stat(keyFile)).mode & 0o777).toBe(0o600);

      const encoded = (await readFile(keyFile, 'utf8')).trim();
      const jobs = await fetch(`${stack.url}/_ml/anomaly_detectors`, {
        headers: { authorization: `ApiKey ${encoded}` },
      });
      const anonymous = await fetch(`${stack.url}/_ml/anomaly_detectors`);

      expect(jobs.status).toBe(200);
      expect(await jobs.json()).toEqual({ count: 0, jobs: [] });
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('ApiKey');
    } finally {
      await stack.close();
    }
  });

  test('is kept on a later start, which says where it is', async () => {
    const keyFile = join(dataDir, 'api-key');
    const before = await readFile(keyFile, 'utf8');

    const stack = await start(dataDir);
    try {
      expect(stack.firstKey).toEqual(
        { path: keyFile, created: false, savedKey: 'valid' });
      expect(await readFile(keyFile, 'utf8')).toBe(before);
      const message = firstKeyMessage(stack.firstKey!, stack.url);
      expect(message).toContain(`export ML_API_KEY=$(cat ${keyFile})`);
      expect(message).toContain('curl -H "Authorization: ApiKey '
        + `$ML_API_KEY" ${stack.url}/_ml/anomaly_detectors`);
    } finally {
      await stack.close();
    }
  });

  test('prints how to use it on the first start', () => {
    const message = firstKeyMessage(
      { path: '.data/api-key', created: true, savedKey: 'valid' },
      'http://127.0.0.1:9200');

    expect(message.split('\n')).toEqual([
      'Created the first API key (privilege: all) in .data/api-key, '
        + 'readable by you only. Use it with:',
      '  export ML_API_KEY=$(cat .data/api-key)',
      '  curl -H "Authorization: ApiKey $ML_API_KEY" '
        + 'http://127.0.0.1:9200/_ml/anomaly_detectors',
    ]);
  });
});

describe('ML_AUTH=off', () => {
  test('is refused on a host other than loopback', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ml-intake-auth-off-'));
    try {
      await expect(startLocalStack({
        host: '0.0.0.0', port: 0, dataDir: dir, auth: 'off', logger: silent,
      })).rejects.toThrow(/^ML_AUTH=off is refused on host 0\.0\.0\.0/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('runs on loopback without a key and makes none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ml-intake-auth-off-'));
    const stack = await startLocalStack({
      host: '127.0.0.1', port: 0, dataDir: dir, auth: 'off', logger: silent,
    });
    try {
      const jobs = await fetch(`${stack.url}/_ml/anomaly_detectors`);

      expect(jobs.status).toBe(200);
      expect(stack.firstKey).toBeUndefined();
      await expect(stat(join(dir, 'api-key'))).rejects.toThrow();
    } finally {
      await stack.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('requests of absurd size before the body', () => {
  let stack: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    stack = await start(dataDir);
  });
  afterAll(() => stack.close());

  test('a URL over 4 KiB gets the too long line envelope', async () => {
    const response = await fetch(
      `${stack.url}/_ml/anomaly_detectors?${'a'.repeat(5000)}`);

    expect(response.status).toBe(400);
    expect(((await response.json()) as any).error.type)
      .toBe('too_long_http_line_exception');
  });

  test('headers over 16 KiB get the envelope and a closed connection',
    async () => {
      const answer = await rawGet(stack.url,
        { 'x-padding': 'p'.repeat(20_000) });

      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toEqual({
        error: {
          root_cause: [{ type: 'too_long_http_header_exception',
            reason: 'HTTP header is larger than 16384 bytes.' }],
          type: 'too_long_http_header_exception',
          reason: 'HTTP header is larger than 16384 bytes.',
        },
        status: 400,
      });
    });

  test('the server still answers afterwards', async () => {
    const response = await fetch(`${stack.url}/_ml/anomaly_detectors`);

    expect(response.status).toBe(401);
  });
});

function rawGet(
  url: string, headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const sent = request(`${url}/_ml/anomaly_detectors`,
      { headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({
          status: response.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
        }));
      });
    sent.on('error', reject);
    sent.end();
  });
}
