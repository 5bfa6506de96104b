/**
 * The DynamoDB client, made once per process and shared by every request
 * (a client keeps its connections alive between Lambda invocations).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface DynamoClientOptions {
  /**
   * A stand-in such as dynalite. Without it the SDK reads
   * `AWS_ENDPOINT_URL_DYNAMODB`, and else talks to AWS.
   */
  endpoint?: string;
  /** Defaults to `AWS_REGION`, else `us-east-1`. */
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * Any key works against a local stand-in; these are used when the
 * environment has none, so a laptop needs no AWS setup.
 */
const STAND_IN_CREDENTIALS = {
  accessKeyId: 'local',
  secretAccessKey: 'local',
};

export function createDynamoClient(
  options: DynamoClientOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): DynamoDBClient {
  const endpoint = options.endpoint ?? env.AWS_ENDPOINT_URL_DYNAMODB;
  const useStandInKeys = endpoint !== undefined
    && options.credentials === undefined
    && env.AWS_ACCESS_KEY_ID === undefined;

  return new DynamoDBClient({
    region: options.region ?? env.AWS_REGION ?? 'us-east-1',
    endpoint,
    credentials: useStandInKeys ? STAND_IN_CREDENTIALS : options.credentials,
  });
}
