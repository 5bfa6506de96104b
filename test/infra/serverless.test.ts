import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROUTES } from '../../lib/api/routes.js';
import { createTableRequest } from '../../lib/store/table.js';
import {
  expectedRouteKeys, getAtt, httpStatements, ingestStatements, lambdaTrust,
} from './expected.js';
import {
  packageService, printConfig, resourceOf, validateTemplate,
  type PackagedService, type Resource, type Template,
} from './packaged.js';

let packaged: PackagedService;
let template: Template;

beforeAll(() => {
  packaged = packageService('test');
  template = packaged.template;
});

afterAll(() => rmSync(packaged.dir, { recursive: true, force: true }));

const resource = (logicalId: string): Resource =>
  resourceOf(template, logicalId);

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

  test('tells the ingest function its queue\'s URL and receive limit', () => {
    const env = resource('S3IngestLambdaFunction')
      .Properties.Environment.Variables;
    const queue = resource('IngestQueue').Properties;

    // Ref of an SQS queue is its URL.
    expect(env.ML_INGEST_QUEUE_URL).toEqual({ Ref: 'IngestQueue' });
    expect(env.ML_MAX_RECEIVES)
      .toBe(String(queue.RedrivePolicy.maxReceiveCount));
    const httpEnv = resource('HttpLambdaFunction')
      .Properties.Environment.Variables;
    expect(Object.keys(httpEnv)).not.toContain('ML_INGEST_QUEUE_URL');
    expect(Object.keys(httpEnv)).not.toContain('ML_MAX_RECEIVES');
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

  test('makes the table the store creates locally, with PITR and TTL', () => {
    const table = resource('MlTable').Properties;
    // The local server and the tests create their table with this request;
    // the deployed one must have the same keys, attributes and index.
    const { TableName: _name, ...request } = createTableRequest('any');
    const byName = (a: { AttributeName?: string },
      b: { AttributeName?: string }) =>
      String(a.AttributeName).localeCompare(String(b.AttributeName));

    // A setting added to the request needs its comparison here.
    expect(Object.keys(request).sort()).toEqual(['AttributeDefinitions',
      'BillingMode', 'GlobalSecondaryIndexes', 'KeySchema']);
    expect(table.BillingMode).toBe(request.BillingMode);
    expect(table.KeySchema).toEqual(request.KeySchema);
    expect(table.GlobalSecondaryIndexes)
      .toEqual(request.GlobalSecondaryIndexes);
    expect([...table.AttributeDefinitions].sort(byName))
      .toEqual([...request.AttributeDefinitions ?? []].sort(byName));
    expect(table.PointInTimeRecoverySpecification)
      .toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.TimeToLiveSpecification)
      // API keys (apiKeyStore.ts) carry their expiry in expiresAt.
      .toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(table.DeletionProtectionEnabled).toBe(false);
  });

  test('keeps logs 30 days and alarms on the DLQ and function errors', () => {
    for (const group of resourcesOfType('AWS::Logs::LogGroup')) {
      expect(group.Properties.RetentionInDays).toBe(30);
    }
    const watched = resourcesOfType('AWS::CloudWatch::Alarm').map((alarm) =>
      [alarm.Properties.Namespace, alarm.Properties.MetricName,
        alarm.Properties.Dimensions?.[0]?.Value]);

    expect(watched).toEqual([
      ['AWS/SQS', 'ApproximateNumberOfMessagesVisible',
        getAtt('IngestDeadLetterQueue', 'QueueName')],
      ['AWS/Lambda', 'Errors', { Ref: 'HttpLambdaFunction' }],
      ['AWS/Lambda', 'Errors', { Ref: 'S3IngestLambdaFunction' }],
      ['ml-intake-test', 'IngestFailures', undefined],
    ]);
  });

  test('counts the ingest function\'s failure lines and alarms on them',
    () => {
      const filter = resource('IngestFailedMetricFilter').Properties;
      const [metric] = filter.MetricTransformations;
      const alarm = resource('IngestFailuresAlarm').Properties;
      const errors = resource('IngestErrorsAlarm').Properties;
      const group = resource(filter.LogGroupName.Ref).Properties;

      // The group the function writes to: /aws/lambda/ and its name.
      expect(group.LogGroupName).toBe('/aws/lambda/'
        + resource('S3IngestLambdaFunction').Properties.FunctionName);
      expect(metric).toMatchObject({ MetricValue: '1' });
      expect([alarm.Namespace, alarm.MetricName])
        .toEqual([metric.MetricNamespace, metric.MetricName]);
      // The line is counted once per failed message: any one alarms.
      expect(alarm).toMatchObject({ Statistic: 'Sum', Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching' });
      expect(alarm.AlarmActions).toEqual(errors.AlarmActions);
    });

  test('outputs the API URL, bucket, table and queue', () => {
    expect(Object.keys(template.Outputs)).toEqual(expect.arrayContaining(
      ['HttpApiUrl', 'BucketName', 'TableName', 'QueueUrl']));
  });
});

test('takes the receive limit of queue and function from one setting', () => {
  // 7 is no default anywhere: both can only have it from the parameter.
  const config = printConfig('test', ['ingestMaxReceives=7']);
  const queue = config.resources.Resources.IngestQueue.Properties;

  expect(Number(queue.RedrivePolicy.maxReceiveCount)).toBe(7);
  expect(config.functions.s3Ingest.environment?.ML_MAX_RECEIVES).toBe('7');
});

test('only the prod stage turns on the table\'s deletion protection', () => {
  const prod = printConfig('prod').resources.Resources.MlTable;

  expect(prod.Properties.DeletionProtectionEnabled).toBe(true);
  expect(prod.DeletionPolicy).toBe('Retain');
});
