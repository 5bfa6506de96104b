import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import {
  startLocalStack, type LocalStackOptions,
} from '../../infra/local/stack.js';
import type { AuthMode } from '../../lib/auth/authMode.js';
import type { Config } from '../../lib/config.js';

/** What a test may set beyond the config and the auth mode. */
export type TestStackOptions = Omit<Partial<LocalStackOptions>,
  'config' | 'auth' | 'dataDir' | 'host' | 'port' | 's3Port'>;

export interface TestStack {
  url: string;
  dataDir: string;
  /** The stack's own DynamoDB, for tests that set up a state over HTTP. */
  dynamoUrl: string;
  s3Url: string;
  ingestIdle(): Promise<void>;
  /** The first API key, as the first start saved it (auth on only). */
  savedKey(): Promise<string>;
  /** Stops the stack and removes its data folder. */
  close(): Promise<void>;
}

/**
 * Starts the local stack on a free loopback port with its data in a fresh
 * temporary folder, logging nothing. API key checks are off unless asked
 * for, so tests of other parts need no key.
 */
export async function startTestStack(
  config: Partial<Config> = {}, auth: AuthMode = 'off',
  options: TestStackOptions = {},
): Promise<TestStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ml-intake-test-'));
  const removeData = () => rm(dataDir, { recursive: true, force: true });
  try {
    const stack = await startLocalStack({
      logger: pino({ level: 'silent' }), ...options,
      host: '127.0.0.1', port: 0, s3Port: 0, dataDir, config, auth,
    });
    return {
      url: stack.url,
      dataDir,
      dynamoUrl: stack.dynamoUrl,
      s3Url: stack.s3Url,
      ingestIdle: () => stack.ingestIdle(),
      savedKey: async () =>
        (await readFile(join(dataDir, 'api-key'), 'utf8')).trim(),
      close: async () => {
        await stack.close();
        await removeData();
      },
    };
  } catch (error) {
    await removeData();
    throw error;
  }
}
