import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startLocalStack } from '../../infra/local/stack.js';
import type { AuthMode } from '../../lib/auth/authMode.js';
import type { Config } from '../../lib/config.js';

export interface TestStack {
  url: string;
  /** The stack's own DynamoDB, for tests that set up a state over HTTP. */
  dynamoUrl: string;
  s3Url: string;
  ingestIdle(): Promise<void>;
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
): Promise<TestStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ml-intake-test-'));
  const removeData = () => rm(dataDir, { recursive: true, force: true });
  try {
    const stack = await startLocalStack({
      host: '127.0.0.1', port: 0, s3Port: 0, dataDir, config, auth,
      logger: pino({ level: 'silent' }),
    });
    return {
      url: stack.url,
      dynamoUrl: stack.dynamoUrl,
      s3Url: stack.s3Url,
      ingestIdle: () => stack.ingestIdle(),
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
