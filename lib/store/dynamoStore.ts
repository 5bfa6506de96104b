// Contract stub: implemented by the store-and-jobs work.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { JobStore } from './types.js';

export function createDynamoJobStore(
  client: DynamoDBClient, tableName: string,
): JobStore {
  throw new Error(`not implemented ${String([client, tableName])}`);
}
