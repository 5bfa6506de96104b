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

const tableStatements = [
  {
    Sid: 'Table',
    Effect: 'Allow',
    Action: [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:Query',
    ],
    Resource: getAtt('MlTable', 'Arn'),
  },
  {
    Sid: 'JobsIndex',
    Effect: 'Allow',
    Action: 'dynamodb:Query',
    Resource: { 'Fn::Join': ['/', [getAtt('MlTable', 'Arn'), 'index', 'jobs-by-id']] },
  },
];

const jobObjects = { 'Fn::Join': ['', [getAtt('MlBucket', 'Arn'), '/jobs/*']] };

/** The http role: table, index, presigned puts under jobs/, its logs. */
export const httpStatements = [
  logsStatement('http'),
  ...tableStatements,
  {
    Sid: 'PresignedUploads',
    Effect: 'Allow',
    Action: 's3:PutObject',
    Resource: jobObjects,
  },
];

/** The ingest role: table, index, reads under jobs/, the queue, its logs. */
export const ingestStatements = [
  logsStatement('s3Ingest'),
  ...tableStatements,
  {
    Sid: 'ReadJobObjects',
    Effect: 'Allow',
    // s3:GetObject also authorises HeadObject; IAM has no HeadObject action.
    Action: 's3:GetObject',
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
    Action: [
      'sqs:ReceiveMessage',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ChangeMessageVisibility',
    ],
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
