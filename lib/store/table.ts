/**
 * Creates the job table when it is missing. Safe to call from every process
 * at start: when two race, one creates and the other waits for it.
 */
import {
  type CreateTableCommandInput,
  type DynamoDBClient,
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { JOBS_INDEX, JOBS_INDEX_PK, JOBS_INDEX_SK } from './items.js';

/** A new on-demand table is usually active within 20 s on AWS. */
const ACTIVE_WAIT_SECONDS = 120;

export function createTableRequest(
  tableName: string,
): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: JOBS_INDEX_PK, AttributeType: 'S' },
      { AttributeName: JOBS_INDEX_SK, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [{
      IndexName: JOBS_INDEX,
      KeySchema: [
        { AttributeName: JOBS_INDEX_PK, KeyType: 'HASH' },
        { AttributeName: JOBS_INDEX_SK, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    }],
  };
}

/**
 * Creates the table (and its index) when it does not exist. A table that
 * exists is taken as it is: one made without the index fails on the first
 * job listing, and this function does not add the index afterwards.
 */
export async function ensureTable(
  client: DynamoDBClient, tableName: string,
): Promise<void> {
  if (await tableStatus(client, tableName) === 'ACTIVE') return;

  try {
    await client.send(new CreateTableCommand(createTableRequest(tableName)));
  } catch (error) {
    // Another process created it first; wait for it like for our own.
    if (!(error instanceof ResourceInUseException)) throw error;
  }

  await waitUntilTableExists(
    { client, maxWaitTime: ACTIVE_WAIT_SECONDS, minDelay: 1 },
    { TableName: tableName });
}

async function tableStatus(
  client: DynamoDBClient, tableName: string,
): Promise<string | undefined> {
  try {
    const output = await client.send(
      new DescribeTableCommand({ TableName: tableName }));
    return output.Table?.TableStatus;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}
