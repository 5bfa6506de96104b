import { spawnSync } from 'node:child_process';
import {
  mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  afterAll, beforeAll, describe, expect, inject, test,
} from 'vitest';
import { createFirstKey } from '../../lib/auth/keyService.js';
import { createApiKeyStore } from '../../lib/store/apiKeyStore.js';
import { createDynamoClient } from '../../lib/store/clients.js';
import { createObjectRecords } from '../../lib/store/objectRecords.js';
import { createS3Client } from '../../lib/store/objects.js';
import { ensureTable } from '../../lib/store/table.js';
import { filterPatternMatches } from './filterPattern.js';
import {
  packageService, resourceOf, type PackagedService, type Resource,
} from './packaged.js';
import { readZipEntries } from './zipEntries.js';

// The zips osls packages, unzipped outside the project and run in a plain
// node as Lambda would run them.

let packaged: PackagedService;
const temporaryDirs: string[] = [];

beforeAll(() => {
  packaged = packageService('test');
  temporaryDirs.push(packaged.dir);
});

afterAll(() => {
  for (const dir of temporaryDirs) {
    rmSync(dir, { recursive: true, force: true });
  }
});

const resource = (logicalId: string): Resource =>
  resourceOf(packaged.template, logicalId);

describe('the function bundles', () => {
  // Minified, the DynamoDB and S3 clients with the presigner come to about
  // 0.6 MB, and js-joda with its time-zone and en-US data adds about 1.1 MB
  // (measured with esbuild 0.28). Past 4 MiB something large was bundled
  // by mistake, and cold starts pay for every byte.
  const maxBundleBytes = 4 * 1024 * 1024;

  test.each(['http', 's3Ingest'])('%s.zip holds one small bundle', (name) => {
    const zipPath = join(packaged.dir, `${name}.zip`);
    const bundles = readZipEntries(zipPath)
      .filter((entry) => entry.name.endsWith('.mjs'));

    expect(bundles).toHaveLength(1);
    expect(bundles[0].data.length).toBeLessThan(maxBundleBytes);
    console.info(`${name}.zip: ${statSync(zipPath).size} bytes zipped, `
      + `${bundles[0].name} ${bundles[0].data.length} bytes`);
  });

  test.each([
    ['http', 'HttpLambdaFunction'],
    ['s3Ingest', 'S3IngestLambdaFunction'],
  ])('%s loads in plain node and exports a handler', (name, logicalId) => {
    const dir = unzipOutsideProject(join(packaged.dir, `${name}.zip`));
    const handler = resource(logicalId).Properties.Handler as string;
    const file = join(dir, `${handler.slice(0, handler.lastIndexOf('.'))}.mjs`);

    // Outside the project no node_modules can be found: a dependency left
    // out of the bundle fails the import here, as it would in Lambda.
    const probe = `const m = await import(${JSON.stringify(
      pathToFileURL(file).href)});
      process.exit(typeof m.handler === 'function' ? 0 : 3);`;
    const result = spawnSync(process.execPath,
      ['--input-type=module', '-e', probe],
      { cwd: dir, env: lambdaLikeEnv(logicalId), encoding: 'utf8' });

    expect(result.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find/);
    expect(result.status).toBe(0);
  });
});

describe('the function bundles against the local stand-ins', () => {
  const dynamoUrl = inject('dynamoUrl');
  const s3Url = inject('s3Url');
  const bucket = inject('s3Bucket');
  const tableName = `bundles-${Date.now()}`;
  let encodedKey = '';

  beforeAll(async () => {
    const client = createDynamoClient({ endpoint: dynamoUrl });
    await ensureTable(client, tableName);
    const key = await createFirstKey(createApiKeyStore(client, tableName),
      { name: 'bundle-probe', privileges: ['monitor_ml'] });
    encodedKey = key.encoded;
    await createS3Client({ endpoint: s3Url }).send(new PutObjectCommand({
      Bucket: bucket, Key: 'jobs/no-such-job/records.ndjson',
      Body: '{"time":1}\n',
    }));
  });

  /**
   * Runs the bundle's handler on one event in a plain node, outside; answers
   * its result and the lines it wrote to stdout, which Lambda would send to
   * the function's log group one event per line.
   */
  function invoke(
    logicalId: string, name: string, event: object,
  ): { result: unknown; logLines: string[] } {
    const dir = unzipOutsideProject(join(packaged.dir, `${name}.zip`));
    const handler = resource(logicalId).Properties.Handler as string;
    const file = join(dir, `${handler.slice(0, handler.lastIndexOf('.'))}.mjs`);
    const probe = `const m = await import(${JSON.stringify(
      pathToFileURL(file).href)});
      const context = { getRemainingTimeInMillis: () => 60000 };
      const result = await m.handler(${JSON.stringify(event)}, context);
      process.stdout.write('\\nRESULT' + JSON.stringify(result) + '\\n');`;
    const result = spawnSync(process.execPath,
      ['--input-type=module', '-e', probe], {
        cwd: dir, encoding: 'utf8',
        env: {
          ...lambdaLikeEnv(logicalId),
          ML_TABLE: tableName, ML_BUCKET: bucket,
          AWS_ENDPOINT_URL_DYNAMODB: dynamoUrl, AWS_ENDPOINT_URL_S3: s3Url,
          // Nothing listens on port 9: a visibility change fails at once.
          AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9',
          ML_INGEST_QUEUE_URL: 'http://127.0.0.1:9/000000000000/ingest',
          AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER',
        },
      });
    expect(result.status, result.stderr).toBe(0);
    // The handler's own log lines share stdout with the result line.
    const lines = result.stdout.split('\n').filter((text) => text !== '');
    const line = lines.find((text) => text.startsWith('RESULT')) ?? '';
    return {
      result: JSON.parse(line.slice('RESULT'.length)),
      logLines: lines.filter((text) => !text.startsWith('RESULT')),
    };
  }

  const unknownJobEvent = () => ({ Records: [{
    eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1',
    eventTime: new Date().toISOString(),
    eventName: 'ObjectCreated:Put',
    s3: { bucket: { name: bucket }, object: {
      key: 'jobs/no-such-job/records.ndjson', size: 11 } },
  }] });

  test('the http bundle answers an API Gateway event from the table', () => {
    const { result } = invoke('HttpLambdaFunction', 'http', {
      version: '2.0', routeKey: 'GET /_ml/anomaly_detectors',
      rawPath: '/_ml/anomaly_detectors', rawQueryString: '',
      headers: { authorization: `ApiKey ${encodedKey}` },
      requestContext: { http: { method: 'GET',
        path: '/_ml/anomaly_detectors' }, requestId: 'probe' },
      isBase64Encoded: false,
    }) as { result: { statusCode: number; body: string } };

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ count: 0, jobs: [] });
  });

  test('the ingest bundle lets an unknown job\'s object go, saying why',
    async () => {
      const { result, logLines } = invoke('S3IngestLambdaFunction',
        's3Ingest', {
          Records: [{ messageId: 'm-1',
            body: JSON.stringify(unknownJobEvent()),
            attributes: { ApproximateReceiveCount: '1' } }],
        });

      // Not retried, and nothing recorded: the job was looked up in the
      // table and is not there (the reason is Elasticsearch's 404 text).
      expect(result).toEqual({ batchItemFailures: [] });
      expect(logLines.map((line) => JSON.parse(line))).toContainEqual(
        expect.objectContaining({ msg: 'object', outcome: 'ignored',
          reason: "No known job with id 'no-such-job'" }));
      const records = await createObjectRecords(
        createDynamoClient({ endpoint: dynamoUrl }), tableName)
        .list('no-such-job');
      expect(records).toEqual([]);
    });

  test('the ingest bundle logs a failed message as the alarm\'s filter '
    + 'counts it, and nothing else', () => {
    const { result, logLines } = invoke('S3IngestLambdaFunction', 's3Ingest', {
      Records: [
        { messageId: 'm-object', body: JSON.stringify(unknownJobEvent()),
          attributes: { ApproximateReceiveCount: '1' } },
        // Not JSON: the handler catches the error and hands the message
        // back, so Lambda counts no error for this turn.
        { messageId: 'm-broken', body: 'not an S3 notification',
          attributes: { ApproximateReceiveCount: '1' } },
      ],
    });
    const pattern = resource('IngestFailedMetricFilter')
      .Properties.FilterPattern as string;

    expect(result).toEqual({ batchItemFailures: expect.arrayContaining(
      [{ itemIdentifier: 'm-broken' }]) });
    const counted = logLines.filter((line) =>
      filterPatternMatches(pattern, line));
    expect(counted.map((line) => JSON.parse(line).messageId))
      .toEqual(['m-broken']);
    // The object's summary line is there, and not counted.
    expect(logLines.map((line) => JSON.parse(line).msg)).toContain('object');
  });
});

function unzipOutsideProject(zipPath: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ml-intake-bundle-'));
  temporaryDirs.push(dir);
  for (const entry of readZipEntries(zipPath)) {
    if (entry.name.endsWith('/')) continue;
    mkdirSync(dirname(join(dir, entry.name)), { recursive: true });
    writeFileSync(join(dir, entry.name), entry.data);
  }
  return dir;
}

/** The function's environment, with made-up names for the references. */
function lambdaLikeEnv(logicalId: string): NodeJS.ProcessEnv {
  const variables = resource(logicalId).Properties.Environment.Variables;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: logicalId,
  };
  for (const [name, value] of Object.entries(variables)) {
    env[name] = typeof value === 'string' ? value : `probe-${name}`;
  }
  return env;
}
