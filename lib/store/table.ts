// Contract stub: implemented by the store-and-jobs work.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Creates the table (and any index it needs) when it does not exist. */
export async function ensureTable(
  client: DynamoDBClient, tableName: string,
): Promise<void> {
  throw new Error(`not implemented ${String([client, tableName])}`);
}
