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
import { loadConfig } from '../../lib/config.js';
import { createJobService } from '../../lib/jobs/jobService.js';
import { createDynamoClient } from '../../lib/store/clients.js';
import { createDynamoJobStore } from '../../lib/store/dynamoStore.js';
import { createObjectRecords } from '../../lib/store/objectRecords.js';
import { createS3Client } from '../../lib/store/objects.js';
import { ensureTable } from '../../lib/store/table.js';
import { ROUTES } from '../../lib/api/routes.js';
import {
  expectedRouteKeys, getAtt, httpStatements, ingestStatements, lambdaTrust,
} from './expected.js';
import {
  packageService, printConfig, validateTemplate,
  type PackagedService, type Resource, type Template,
} from './packaged.js';
import { readZipEntries } from './zipEntries.js';

let packaged: PackagedService;
let template: Template;
const temporaryDirs: string[] = [];

beforeAll(() => {
  packaged = packageService('test');
  template = packaged.template;
  temporaryDirs.push(packaged.dir);
});

afterAll(() => {
  for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
});

function resource(logicalId: string): Resource {
  const found = template.Resources[logicalId];
  if (!found) throw new Error(`no resource ${logicalId} in the template`);
  return found;
}

function resourcesOfType(type: string): Resource[] {
  return Object.values(template.Resources).filter((r) => r.Type === type);
}

describe('the packaged template', () => {
  test('has no error-level finding from AWS\'s offline validator', () => {
    const findings = validateTemplate(packaged.templatePath);

    const errors = findings.filter(
      (f) => f.severity === 'ERROR' || f.severity === 'FATAL');
    expect(errors).toEqual([]);
  });

  test('declares every route for both prefixes and nothing else', () => {
    const routeKeys = resourcesOfType('AWS::ApiGatewayV2::Route')
      .map((route) => route.Properties.RouteKey as string);

    // 12 job routes under each of two prefixes plus 4 key routes: 28.
    expect(expectedRouteKeys).toHaveLength(28);
    expect([...routeKeys].sort()).toEqual([...expectedRouteKeys].sort());
  });

  test('declares exactly the routes the API serves', () => {
    const routeKeys = resourcesOfType('AWS::ApiGatewayV2::Route')
      .map((route) => route.Properties.RouteKey as string);
    const served = ROUTES.flatMap((route) =>
      route.paths.map((path) => `${route.method} ${path}`));

    expect([...routeKeys].sort()).toEqual([...served].sort());
  });

  test('has no catch-all, greedy or default route', () => {
    const routeKeys = resourcesOfType('AWS::ApiGatewayV2::Route')
      .map((route) => route.Properties.RouteKey as string);

    for (const key of routeKeys) {
      expect(key).not.toMatch(/^ANY |\+\}|\$default/);
    }
  });

  test('sends every route to the http function with payload 2.0', () => {
    const target = {
      'Fn::Join': ['/', ['integrations', { Ref: 'HttpApiIntegrationHttp' }]],
    };
    for (const route of resourcesOfType('AWS::ApiGatewayV2::Route')) {
      expect(route.Properties.Target).toEqual(target);
      expect(route.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
    }

    const integration = resource('HttpApiIntegrationHttp').Properties;
    expect(integration.IntegrationUri)
      .toEqual(getAtt('HttpLambdaFunction', 'Arn'));
    expect(integration.PayloadFormatVersion).toBe('2.0');
  });

  test('has no API Gateway authorizer and no CORS', () => {
    expect(resourcesOfType('AWS::ApiGatewayV2::Authorizer')).toEqual([]);
    expect(resource('HttpApi').Properties.CorsConfiguration).toBeUndefined();
  });

  test('throttles the API stage', () => {
    const settings = resource('HttpApiStage').Properties.DefaultRouteSettings;

    expect(settings.ThrottlingBurstLimit).toBeGreaterThan(0);
    expect(settings.ThrottlingRateLimit).toBeGreaterThan(0);
  });

  test('gives each function its own role with exactly its statements', () => {
    const statements = (roleId: string) => {
      const role = resource(roleId).Properties;
      expect(role.AssumeRolePolicyDocument).toEqual(lambdaTrust);
      expect(role.ManagedPolicyArns).toBeUndefined();
      expect(role.Policies).toHaveLength(1);
      return role.Policies[0].PolicyDocument.Statement;
    };

    expect(resource('HttpLambdaFunction').Properties.Role)
      .toEqual(getAtt('HttpRole', 'Arn'));
    expect(resource('S3IngestLambdaFunction').Properties.Role)
      .toEqual(getAtt('IngestRole', 'Arn'));
    expect(statements('HttpRole')).toEqual(httpStatements);
    expect(statements('IngestRole')).toEqual(ingestStatements);
    expect(resourcesOfType('AWS::IAM::Role')).toHaveLength(2);
  });

  test('runs both functions on nodejs22.x and arm64', () => {
    for (const id of ['HttpLambdaFunction', 'S3IngestLambdaFunction']) {
      const fn = resource(id).Properties;
      expect(fn.Runtime).toBe('nodejs22.x');
      expect(fn.Architectures).toEqual(['arm64']);
    }
  });

  test('keeps the http function inside API Gateway\'s 30 s', () => {
    const fn = resource('HttpLambdaFunction').Properties;

    expect(fn.Handler).toBe('functions/http.handler');
    expect(fn.Timeout).toBeLessThanOrEqual(29);
    expect(fn.ReservedConcurrentExecutions).toBeGreaterThan(0);
  });

  test('passes the settings the code reads to both functions', () => {
    for (const id of ['HttpLambdaFunction', 'S3IngestLambdaFunction']) {
      const env = resource(id).Properties.Environment.Variables;
      expect(env.ML_TABLE).toEqual({ Ref: 'MlTable' });
      expect(env.ML_BUCKET).toEqual({ Ref: 'MlBucket' });
      // Lambda's synchronous request limit: 6 MiB = 6 * 1024 * 1024.
      expect(env.ML_MAX_BODY_BYTES).toBe(String(6 * 1024 * 1024));
      expect(env.NODE_OPTIONS).toBe('--enable-source-maps');
      // The lease must outlive the wait for it and one ingest chunk.
      expect(Number(env.ML_LEASE_TTL_MS))
        .toBeGreaterThan(Number(env.ML_LEASE_WAIT_MS));
    }
  });

  test('feeds the ingest function from the queue one object at a time', () => {
    const fn = resource('S3IngestLambdaFunction').Properties;
    const [mapping] = resourcesOfType('AWS::Lambda::EventSourceMapping');

    expect(fn.Handler).toBe('functions/s3-ingest.handler');
    expect(mapping.Properties.EventSourceArn)
      .toEqual(getAtt('IngestQueue', 'Arn'));
    expect(mapping.Properties.FunctionName)
      .toEqual(getAtt('S3IngestLambdaFunction', 'Arn'));
    expect(mapping.Properties.BatchSize).toBe(1);
    expect(mapping.Properties.FunctionResponseTypes)
      .toEqual(['ReportBatchItemFailures']);
    expect(mapping.Properties.ScalingConfig.MaximumConcurrency)
      .toBeLessThanOrEqual(fn.ReservedConcurrentExecutions);
  });

  test('notifies the queue of objects created under jobs/', () => {
    const bucket = resource('MlBucket').Properties;

    expect(bucket.NotificationConfiguration).toEqual({
      QueueConfigurations: [{
        Event: 's3:ObjectCreated:*',
        Queue: getAtt('IngestQueue', 'Arn'),
        Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'jobs/' }] } },
      }],
    });
    const [statement] = resource('IngestQueuePolicy')
      .Properties.PolicyDocument.Statement;
    expect(statement.Principal).toEqual({ Service: 's3.amazonaws.com' });
    expect(statement.Action).toBe('sqs:SendMessage');
  });

  test('protects the bucket: encryption, no public access, TLS only', () => {
    const bucket = resource('MlBucket').Properties;
    const policy = resource('MlBucketPolicy').Properties.PolicyDocument;

    const encryption = bucket.BucketEncryption
      .ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault;
    expect(encryption.SSEAlgorithm).toBe('AES256');
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(policy.Statement).toContainEqual(expect.objectContaining({
      Effect: 'Deny',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }));
  });

  test('expires objects under jobs/ and aborts stale multipart uploads', () => {
    const rules = resource('MlBucket').Properties.LifecycleConfiguration.Rules;

    expect(rules).toContainEqual(expect.objectContaining({
      Prefix: 'jobs/', ExpirationInDays: 30, Status: 'Enabled',
    }));
    expect(rules).toContainEqual(expect.objectContaining({
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
    }));
  });

  test('redrives the queue to a DLQ and outlasts six ingest timeouts', () => {
    const queue = resource('IngestQueue').Properties;
    const timeout = resource('S3IngestLambdaFunction').Properties.Timeout;

    expect(queue.RedrivePolicy.deadLetterTargetArn)
      .toEqual(getAtt('IngestDeadLetterQueue', 'Arn'));
    expect(queue.RedrivePolicy.maxReceiveCount).toBeGreaterThanOrEqual(1);
    expect(queue.RedrivePolicy.maxReceiveCount).toBeLessThanOrEqual(50);
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
    expect(queue.MessageRetentionPeriod).toBeGreaterThan(0);
  });

  test('makes the table on demand, with PITR, TTL and the jobs index', () => {
    const table = resource('MlTable').Properties;

    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.PointInTimeRecoverySpecification)
      .toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.TimeToLiveSpecification)
      .toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(table.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(table.GlobalSecondaryIndexes).toEqual([{
      IndexName: 'jobs-by-id',
      KeySchema: [
        { AttributeName: 'jobsPk', KeyType: 'HASH' },
        { AttributeName: 'jobsSk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    }]);
    expect(table.DeletionProtectionEnabled).toBe(false);
  });

  test('keeps logs 30 days and alarms on the DLQ and function errors', () => {
    for (const group of resourcesOfType('AWS::Logs::LogGroup')) {
      expect(group.Properties.RetentionInDays).toBe(30);
    }
    const watched = resourcesOfType('AWS::CloudWatch::Alarm').map((alarm) =>
      [alarm.Properties.MetricName, alarm.Properties.Dimensions[0].Value]);

    expect(watched).toEqual(expect.arrayContaining([
      ['ApproximateNumberOfMessagesVisible',
        getAtt('IngestDeadLetterQueue', 'QueueName')],
      ['Errors', { Ref: 'HttpLambdaFunction' }],
      ['Errors', { Ref: 'S3IngestLambdaFunction' }],
    ]));
  });

  test('outputs the API URL, bucket, table and queue', () => {
    expect(Object.keys(template.Outputs)).toEqual(expect.arrayContaining(
      ['HttpApiUrl', 'BucketName', 'TableName', 'QueueUrl']));
  });
});

test('only the prod stage turns on the table\'s deletion protection', () => {
  const prod = printConfig('prod').resources.Resources.MlTable;

  expect(prod.Properties.DeletionProtectionEnabled).toBe(true);
  expect(prod.DeletionPolicy).toBe('Retain');
});

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
    const jobs = createJobService({ store: createDynamoJobStore(client,
      tableName), config: { ...loadConfig({}), tableName }, now: Date.now });
    await jobs.putJob('bundle-job', {
      analysis_config: { bucket_span: '1h', detectors: [{ function: 'count' }] },
      data_description: { time_field: 'time', time_format: 'epoch' },
    });
    await jobs.openJob('bundle-job');
    await createS3Client({ endpoint: s3Url }).send(new PutObjectCommand({
      Bucket: bucket, Key: 'jobs/bundle-job/records.ndjson',
      Body: '{"time":1449446400}\n{"time":1449446460}\n',
    }));
  });

  /** Runs the bundle's handler on one event in a plain node, outside. */
  function invoke(logicalId: string, name: string, event: object): unknown {
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
          AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9',
          AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER',
        },
      });
    expect(result.status, result.stderr).toBe(0);
    // The handler's own log lines share stdout with the result line.
    const line = result.stdout.split('\n')
      .find((text) => text.startsWith('RESULT')) ?? '';
    return JSON.parse(line.slice('RESULT'.length));
  }

  test('the http bundle answers an API Gateway event from the table', () => {
    const result = invoke('HttpLambdaFunction', 'http', {
      version: '2.0', routeKey: 'GET /_ml/anomaly_detectors',
      rawPath: '/_ml/anomaly_detectors', rawQueryString: '',
      headers: { authorization: `ApiKey ${encodedKey}` },
      requestContext: { http: { method: 'GET',
        path: '/_ml/anomaly_detectors' }, requestId: 'probe' },
      isBase64Encoded: false,
    }) as { statusCode: number; body: string };

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ count: 1,
      jobs: [{ job_id: 'bundle-job' }] });
  });

  test('the ingest bundle counts an object into its job', async () => {
      const s3Event = { Records: [{
        eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1',
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: bucket }, object: {
          key: 'jobs/bundle-job/records.ndjson', size: 42 } },
      }] };

      const result = invoke('S3IngestLambdaFunction', 's3Ingest', {
        Records: [{ messageId: 'm-1', body: JSON.stringify(s3Event),
          attributes: { ApproximateReceiveCount: '1' } }],
      });

      // Done: the message is let go, and the bundle wrote the object's
      // record, with its two records, to the table.
      expect(result).toEqual({ batchItemFailures: [] });
      const records = await createObjectRecords(
        createDynamoClient({ endpoint: dynamoUrl }), tableName)
        .list('bundle-job');
      expect(records).toMatchObject([{
        key: 'jobs/bundle-job/records.ndjson', state: 'done',
        counts: { processedRecordCount: 2 },
      }]);
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
