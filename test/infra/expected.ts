// What the deployment must contain, written out by hand from the service's
// requirements; the tests compare the packaged template against these.

const jobRoutes = [
  'PUT anomaly_detectors/{job_id}',
  'GET anomaly_detectors/{job_id}',
  'DELETE anomaly_detectors/{job_id}',
  'GET anomaly_detectors',
  'POST anomaly_detectors/{job_id}/_open',
  'POST anomaly_detectors/{job_id}/_close',
  'POST anomaly_detectors/{job_id}/_flush',
  'POST anomaly_detectors/{job_id}/_data',
  'POST anomaly_detectors/{job_id}/_upload',
  'GET anomaly_detectors/{job_id}/_stats',
  'GET anomaly_detectors/_stats',
  'GET anomaly_detectors/{job_id}/_uploads',
];

/** Every route key of the HTTP API: 12 job routes twice, 4 key routes. */
export const expectedRouteKeys: string[] = [
  ...['/_ml/', '/_xpack/ml/'].flatMap((prefix) => jobRoutes.map((route) => {
    const [method, path] = route.split(' ');
    return `${method} ${prefix}${path}`;
  })),
  'POST /_security/api_key',
  'PUT /_security/api_key',
  'GET /_security/api_key',
  'DELETE /_security/api_key',
];

const getAtt = (name: string, attribute: string) =>
  ({ 'Fn::GetAtt': [name, attribute] });

function logsStatement(functionName: string) {
  return {
    Sid: 'Logs',
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: {
      'Fn::Sub': [
        'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}'
          + ':log-group:${Group}:*',
        { Group: `/aws/lambda/ml-intake-test-${functionName}` },
      ],
    },
  };
}

const tableArn = getAtt('MlTable', 'Arn');
const jobObjects = { 'Fn::Join': ['', [getAtt('MlBucket', 'Arn'), '/jobs/*']] };

/** The http role: table, index, presigned puts under jobs/, its logs. */
export const httpStatements = [
  logsStatement('http'),
  {
    Sid: 'Table',
    Effect: 'Allow',
    // Jobs, keys and object records are read, written, listed (Query) and
    // deleted with the job.
    Action: [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:Query',
    ],
    Resource: tableArn,
  },
  {
    // Job listings read the index.
    Sid: 'JobsIndex',
    Effect: 'Allow',
    Action: 'dynamodb:Query',
    Resource: { 'Fn::Join': ['/', [tableArn, 'index', 'jobs-by-id']] },
  },
  {
    Sid: 'PresignedUploads',
    Effect: 'Allow',
    Action: 's3:PutObject',
    Resource: jobObjects,
  },
];

/**
 * Every AWS SDK command the ingest function sends, by client, read off
 * functions/s3-ingest.ts, lib/jobs/ingestObject.ts and what they call
 * (ingestLease.ts, jobLease.ts, objectChunks.ts, giveUpObject.ts) down to
 * the `new ...Command(` lines of lib/store:
 * - job store: getJob and getState send GetItem; acquireLease, commit and
 *   releaseLease send UpdateItem, the first two GetItem after a failed
 *   condition;
 * - object records: get sends GetItem; noteQueued and finish PutItem;
 * - object store: head sends HeadObject; readRange and readRangePieces
 *   GetObject;
 * - message delayer: retryAfter sends ChangeMessageVisibility.
 * It never lists (Query), deletes or reads the jobs index. ingestPath.test.ts
 * checks this list against the commands a run of the handler sends.
 */
export const ingestCommands = {
  DynamoDBClient: ['GetItemCommand', 'PutItemCommand', 'UpdateItemCommand'],
  S3Client: ['HeadObjectCommand', 'GetObjectCommand'],
  SQSClient: ['ChangeMessageVisibilityCommand'],
} as const;

/** The IAM action that authorises a command; IAM has no s3:HeadObject. */
function actionOf(service: string, command: string): string {
  const name = command.replace(/Command$/, '');
  return `${service}:${name === 'HeadObject' ? 'GetObject' : name}`;
}

function actionsOf(service: string, commands: readonly string[]): string[] {
  return [...new Set(commands.map((command) => actionOf(service, command)))];
}

/** A single action is written as a string in the template. */
const oneOrMany = (actions: string[]) =>
  actions.length === 1 ? actions[0] : actions;

/**
 * What Lambda's event source mapping does with the function's role: poll,
 * delete handled messages, read the queue's attributes.
 */
const pollerActions = [
  'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes',
];

/** The ingest role: its commands above, the poller's, its logs. */
export const ingestStatements = [
  logsStatement('s3Ingest'),
  {
    Sid: 'Table',
    Effect: 'Allow',
    Action: actionsOf('dynamodb', ingestCommands.DynamoDBClient),
    Resource: tableArn,
  },
  {
    Sid: 'ReadJobObjects',
    Effect: 'Allow',
    Action: oneOrMany(actionsOf('s3', ingestCommands.S3Client)),
    Resource: jobObjects,
  },
  {
    // A deleted key must answer 404, not 403 (see iam.yml).
    Sid: 'ListJobObjects',
    Effect: 'Allow',
    Action: 's3:ListBucket',
    Resource: getAtt('MlBucket', 'Arn'),
    Condition: { StringLike: { 's3:prefix': 'jobs/*' } },
  },
  {
    Sid: 'ConsumeQueue',
    Effect: 'Allow',
    Action: [...pollerActions,
      ...actionsOf('sqs', ingestCommands.SQSClient)],
    Resource: getAtt('IngestQueue', 'Arn'),
  },
];

export const lambdaTrust = {
  Version: '2012-10-17',
  Statement: [{
    Effect: 'Allow',
    Principal: { Service: 'lambda.amazonaws.com' },
    Action: 'sts:AssumeRole',
  }],
};

export { getAtt };
