/**
 * dynalite, the local DynamoDB, on a free loopback port. It answers any
 * web page (`Access-Control-Allow-Origin: *` on every response and
 * preflight) and asks for no real credentials, while it holds every job,
 * count and API key hash; a page can find its port by trying them. No
 * client of this product sends an Origin header, so a request with one
 * is refused before dynalite sees it.
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse }
  from 'node:http';
import dynalite from 'dynalite';

export interface LocalDynamo {
  url: string;
  close(): Promise<void>;
}

export async function startLocalDynamo(path: string): Promise<LocalDynamo> {
  const server = dynalite({
    path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0,
  });
  refuseWebPages(server);
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    }),
  };
}

function refuseWebPages(server: Server): void {
  const answer = server.listeners('request')[0] as RequestListener;
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (request.headers.origin === undefined) {
      answer(request, response);
      return;
    }
    response.writeHead(403, { 'content-type': 'application/x-amz-json-1.0' });
    response.end(JSON.stringify({
      __type: 'com.amazonaws.dynamodb.v20120810#AccessDeniedException',
      message: 'The local DynamoDB does not answer web pages: the request '
        + 'has an Origin header',
    }));
  });
}
