// Placeholder entry point so the service packages; the real handler routes
// every API request through lib/api.
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export async function handler(): Promise<APIGatewayProxyStructuredResultV2> {
  return {
    statusCode: 501,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ error: 'not implemented', status: 501 }),
  };
}
