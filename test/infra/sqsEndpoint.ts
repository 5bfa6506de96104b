import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SQSClient } from '@aws-sdk/client-sqs';

/** One request as the SDK sent it over the wire. */
export interface SqsRequest {
  /** `AmazonSQS.ChangeMessageVisibility` and the like. */
  target: string;
  body: Record<string, unknown>;
}

export interface SqsEndpoint {
  url: string;
  requests: SqsRequest[];
  close(): Promise<void>;
}

/**
 * An HTTP endpoint that takes SQS's JSON protocol and answers every call
 * with an empty success, as SQS answers ChangeMessageVisibility; the
 * stand-ins have no queue, and the tests only need what was asked.
 */
export async function startSqsEndpoint(): Promise<SqsEndpoint> {
  const requests: SqsRequest[] = [];
  const server: Server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      requests.push({
        target: String(request.headers['x-amz-target'] ?? ''),
        body: JSON.parse(Buffer.concat(parts).toString('utf8') || '{}'),
      });
      response.writeHead(200,
        { 'content-type': 'application/x-amz-json-1.0' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const quiet = {
  trace() {}, debug() {}, info() {}, warn() {}, error() {},
};

/**
 * An SQS client with made-up keys; with `endpoint` it sends everything
 * there, without it to the host of each request's queue URL.
 */
export function sqsClientFor(endpoint?: string): SQSClient {
  return new SQSClient({
    region: 'us-east-1', endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // The SDK warns on every request whose queue URL is not on the
    // region's host, which is every request to a local endpoint.
    logger: quiet,
  });
}
