import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestStack, type TestStack } from '../support/localStack.js';
import { cli } from './cliHarness.js';

// The local stack with API keys on. Its first key is written by
// `keys create --aws` straight into the stack's own DynamoDB table, as it
// would be into a deployed one, so both ends of that command are real.
const TABLE = 'cli-keys';
const NO_KEY = 'missing authentication credentials for REST request '
  + '[/_ml/anomaly_detectors/_stats]';
const REFUSED = 'unable to authenticate with provided credentials and '
  + 'anonymous access is not allowed for this request';

let stack: TestStack;
let admin: string;

async function as(key: string | undefined, ...args: string[]) {
  return cli(['--url', stack.url, ...args],
    key === undefined ? {} : { ML_API_KEY: key });
}

beforeAll(async () => {
  stack = await startTestStack({ tableName: TABLE }, 'on');
  const created = await cli(['--json', 'keys', 'create', '--aws', '--table',
    TABLE, '--region', 'us-east-1', '--name', 'admin'],
  { AWS_ENDPOINT_URL_DYNAMODB: stack.dynamoUrl });
  expect(created.stderr).toBe('');
  admin = JSON.parse(created.stdout).encoded;
});

afterAll(async () => {
  await stack?.close();
});

describe('API keys against the local stack', () => {
  test('a key written with --aws into the stack\'s table is accepted',
    async () => {
      const result = await as(admin, 'jobs', 'list');

      expect(result).toEqual({ code: 0, stderr: '',
        stdout: "no jobs yet; create one with 'ml-intake jobs create'\n" });
    });

  test('no key gives one line that says how to give one', async () => {
    const result = await as(undefined, 'jobs', 'list');

    expect(result).toEqual({ code: 1, stdout: '', stderr: 'ml-intake: 401 '
      + `security_exception: ${NO_KEY}; give an API key with --api-key or `
      + 'ML_API_KEY\n' });
  });

  test('a key the server does not know gives one line', async () => {
    // base64 of `not:akey`: well formed, but no such key.
    const result = await as(undefined, '--api-key', 'bm90OmFrZXk=', 'jobs',
      'list');

    expect(result).toEqual({ code: 1, stdout: '', stderr: 'ml-intake: 401 '
      + `security_exception: ${REFUSED}; the API key given was not `
      + 'accepted (unknown, revoked, expired or mistyped)\n' });
  });

  test('a post without a key stops before sending any data', async () => {
    const result = await as(undefined, 'post', 'any-job', '-');

    // The job's format is read first, so that request is the one refused.
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'ml-intake: 401 '
      + 'security_exception: missing authentication credentials for REST '
      + 'request [/_ml/anomaly_detectors/any-job]; give an API key with '
      + '--api-key or ML_API_KEY\n' });
  });

  test('a post with a key that may only read says to fix the key',
    async () => {
      const created = await as(admin, '--json', 'keys', 'create', '--name',
        'watcher', '--privileges', 'monitor_ml');
      const watcher = JSON.parse(created.stdout);
      expect((await as(admin, 'jobs', 'create', 'guarded', '--detector',
        'count', '--time-format', 'epoch')).code).toBe(0);
      expect((await as(admin, 'jobs', 'open', 'guarded')).code).toBe(0);

      // The job and its stats may be read; the data may not be posted.
      const result = await cli(['--url', stack.url, 'post', 'guarded', '-'],
        { ML_API_KEY: watcher.encoded }, '{"time":1449446400}\n');

      expect(result).toEqual({ code: 1, stdout: '', stderr: 'ml-intake: '
        + 'part 1 failed: 403 security_exception: action '
        + '[cluster:admin/xpack/ml/job/data/post] is unauthorized for user '
        + '[watcher], this action is granted by the cluster privileges '
        + '[manage_ml,manage,all]; 0 parts '
        + 'committed before it: 0 bytes, 0 records; fix the API key '
        + '(--api-key or ML_API_KEY), then resume with: ml-intake post '
        + 'guarded - --from-byte 0\n' });
    });

  test('revoking an id that no key has exits non-zero', async () => {
    const result = await as(admin, 'keys', 'revoke', 'nosuchid');

    expect(result).toEqual({ code: 1, stdout: '',
      stderr: 'ml-intake: no key with id nosuchid\n' });
  });

  test('creates, lists and revokes a key through the server', async () => {
    const created = await as(admin, '--json', 'keys', 'create', '--name',
      'reader', '--privileges', 'monitor_ml', '--expiration', '1d');
    expect(created.stderr).toBe('');
    const reader = JSON.parse(created.stdout);

    // The reader may read jobs but not make them.
    expect((await as(reader.encoded, 'jobs', 'list')).code).toBe(0);
    const denied = await as(reader.encoded, 'jobs', 'create', 'x',
      '--detector', 'count');
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(new RegExp('^ml-intake: 403 '
      + 'security_exception: action \\[cluster:admin/xpack/ml/job/put\\] '
      + 'is unauthorized for user \\[reader\\]'));
    expect(denied.stderr.split('\n')).toHaveLength(2);

    const listed = await as(admin, 'keys', 'list');
    expect(listed.stdout).toMatch(
      new RegExp(`^${reader.id}\\s+reader\\s+\\S+\\s+\\S+\\s+valid$`, 'm'));
    expect(listed.stdout).toMatch(/^\S+\s+admin\s+\S+\s+never\s+valid$/m);

    const revoked = await as(admin, 'keys', 'revoke', reader.id, 'nope');
    expect(revoked).toEqual({ code: 1, stdout: `revoked ${reader.id}\n`,
      stderr: 'ml-intake: no key with id nope\n' });
    const again = await as(admin, 'keys', 'revoke', reader.id);
    expect(again.stdout).toBe(`${reader.id} was already revoked\n`);
    expect((await as(admin, 'keys', 'list')).stdout).toMatch(
      new RegExp(`^${reader.id}\\s+reader\\s+\\S+\\s+\\S+\\s+revoked$`, 'm'));
  });
});
