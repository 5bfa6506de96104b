import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { createApiKeyStore } from '../store/apiKeyStore.js';
import { createDynamoClient } from '../store/clients.js';
import { CliError } from './cliErrors.js';
import type { CreatedKey, NewKeyOptions } from './keysCommand.js';
import { issueStoredKey } from './storeKeys.js';

export interface AwsKeyOptions extends NewKeyOptions {
  /** `--table`; else `ML_TABLE`. */
  table?: string;
  /** `--region`; else `AWS_REGION`. */
  region?: string;
}

/** Where the key went, for the message after it. */
export interface AwsCreatedKey extends CreatedKey {
  table: string;
  region: string;
}

/**
 * Writes a key straight into a deployed table with the caller's own AWS
 * credentials (the SDK's default chain: environment, profile, SSO, ...).
 * A new stack has no key, and every key route needs one: this is how the
 * first is made. The table is never created here; it is the stack's.
 */
export async function createAwsKey(
  options: AwsKeyOptions, env: Record<string, string | undefined>,
): Promise<AwsCreatedKey> {
  const table = options.table ?? env.ML_TABLE;
  if (table === undefined || table === '') {
    throw new CliError('--aws needs the DynamoDB table: give --table '
      + "<name> or set ML_TABLE (the TableName that 'npx osls info "
      + "--stage <stage> --verbose' prints)");
  }
  const region = options.region ?? env.AWS_REGION;
  if (region === undefined || region === '') {
    throw new CliError('--aws needs the region of the table: give '
      + '--region <region> or set AWS_REGION');
  }

  const client = createDynamoClient(
    { region, endpoint: env.AWS_ENDPOINT_URL_DYNAMODB }, env);
  try {
    const key = await issueStoredKey(createApiKeyStore(client, table),
      options);
    return { ...key, table, region };
  } catch (error) {
    throw awsFailure(error, table, region);
  } finally {
    client.destroy();
  }
}

/** The SDK's failures in words that say what to do. */
function awsFailure(error: unknown, table: string, region: string): unknown {
  if (error instanceof CliError) return error;
  if (error instanceof ResourceNotFoundException) {
    return new CliError(`there is no table ${table} in ${region}: deploy `
      + 'the stack first, and give the TableName and region it reports');
  }
  const name = (error as Error)?.name ?? '';
  const text = firstLine(error);
  if (name === 'CredentialsProviderError') {
    return new CliError('no AWS credentials found (environment, profile or '
      + `SSO): ${text}`);
  }
  if (/AccessDenied|UnrecognizedClient|InvalidSignature|ExpiredToken/
    .test(name)) {
    return new CliError(`AWS refused to write the key to ${table}: ${text}`);
  }
  return new CliError(`writing the key to ${table} in ${region} failed: `
    + `${name === '' || name === 'Error' ? '' : `${name}: `}${text}`);
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0];
}
