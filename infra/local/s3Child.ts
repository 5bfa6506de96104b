/**
 * The script of s3rver's child process (see s3Server.ts): CommonJS run
 * with `node -e`, its settings in env. It sends s3rver's object events
 * and the object listings the parent asks for over the IPC channel,
 * refuses requests that s3rver would turn into paths outside its folder
 * (s3Requests.ts), decodes aws-chunked bodies before s3rver sees them,
 * writes objects whole or not at all (atomicPut.ts), and sends them from
 * buffers used in turn (s3FileBody.ts); the source text
 * of those functions is put in, as the child loads no TypeScript.
 */
import { awsChunkedDecoder, isAwsChunked } from './awsChunked.js';
import { atomicPutObject, removePartialFiles } from './atomicPut.js';
import { sendFileRange } from './s3FileBody.js';
import { nameRefusal, requestRefusal } from './s3Requests.js';

export const CHILD_SCRIPT = `
const { join, dirname } = require('node:path');
const { Transform } = require('node:stream');
const { ReadStream } = require('node:fs');
const S3rver = require(process.env.ML_S3RVER_MAIN);
const S3Error = require(join(dirname(process.env.ML_S3RVER_MAIN),
  'models', 'error.js'));
const FilesystemStore = require(join(dirname(process.env.ML_S3RVER_MAIN),
  'stores', 'filesystem.js'));
// A compiler that keeps function names (esbuild's keepNames, as tsx
// runs it) wraps named inner functions in this helper of its own.
const __name = (target) => target;
const isAwsChunked = ${isAwsChunked.toString()};
const awsChunkedDecoder = ${awsChunkedDecoder.toString()};
const atomicPutObject = ${atomicPutObject.toString()};
const removePartialFiles = ${removePartialFiles.toString()};
const nameRefusal = ${nameRefusal.toString()};
const requestRefusal = ${requestRefusal.toString()};
const sendFileRange = ${sendFileRange.toString()};
const server = new S3rver(JSON.parse(process.env.ML_S3RVER_OPTIONS));
server.on('event', (event) => process.send({ type: 'event', event }));
// Every file path of the store is made from a bucket and a key here: a
// key that comes in a request body (a multi-object delete) or from a
// stored upload is checked as well as the one of the request's path.
const store = server.store;
const resourcePath = store.getResourcePath.bind(store);
store.getResourcePath = (bucket, key, resource) => {
  const refusal = nameRefusal(bucket, key);
  if (refusal !== undefined) {
    throw new S3Error(refusal.code, refusal.message);
  }
  return resourcePath(bucket, key, resource);
};
// A PUT cut off part-way leaves the old object as it was (atomicPut.ts).
store.putObject = atomicPutObject(store, {
  fs: require('node:fs'), TransformStream: Transform,
  finished: require('node:stream').finished,
  createHash: require('node:crypto').createHash,
  randomBytes: require('node:crypto').randomBytes, dirname,
  allowedMetadata: require(join(dirname(process.env.ML_S3RVER_MAIN),
    'models', 'object.js')).ALLOWED_METADATA,
});
// Refusals and the decoder come after s3rver's virtual-host rewrite,
// which takes a bucket from the Host header, and before its
// authentication and routes.
const afterVhost = server.middleware
  .findIndex((middleware) => middleware.name === 'vhost') + 1;
if (afterVhost === 0) throw new Error('s3rver has no vhost middleware');
server.middleware.splice(afterVhost, 0, async (ctx, next) => {
  const refusal = requestRefusal({ method: ctx.method, path: ctx.path,
    query: ctx.query, headers: ctx.headers }, {
    names: nameRefusal, fileNameOf: FilesystemStore.encodeKeyPath,
  });
  if (refusal !== undefined) {
    throw new S3Error(refusal.code, refusal.message);
  }
  return next();
}, async (ctx, next) => {
  await next();
  // An object's bytes go out from buffers used in turn (s3FileBody.ts).
  const body = ctx.body;
  if (ctx.method !== 'GET' || !(body instanceof ReadStream)
    || typeof body.fd !== 'number') {
    return;
  }
  ctx.respond = false;
  sendFileRange(require('node:fs'), body, ctx.res);
}, async (ctx, next) => {
  const method = ctx.method;
  if ((method !== 'PUT' && method !== 'POST') || !isAwsChunked(ctx.headers)) {
    return next();
  }
  const request = ctx.req;
  const headers = request.headers;
  const declared = headers['x-amz-decoded-content-length'];
  const length = /^[0-9]{1,15}$/.test(declared ?? '') ? Number(declared)
    : undefined;
  const decoder = awsChunkedDecoder(Transform, length);
  // s3rver pipes the body into a stream of its own and listens for
  // errors on that stream only: a fault is sent there, and that stream
  // is ended so that its file is closed; the PUT then fails at once
  // instead of waiting for good.
  let failure;
  let target;
  const failTarget = () => process.nextTick(() => {
    target.emit('error', failure);
    target.end();
  });
  const fail = (error) => {
    if (failure !== undefined) return;
    failure = error;
    if (target !== undefined) failTarget();
  };
  decoder.on('error', fail);
  request.on('error', () => {});
  request.once('close', () => {
    if (!request.complete) {
      fail(Object.assign(new Error('The request body ended early'),
        { code: 'IncompleteBody' }));
    }
  });
  const pipe = decoder.pipe.bind(decoder);
  decoder.pipe = (destination, options) => {
    target = destination;
    if (failure !== undefined) {
      failTarget();
      return destination;
    }
    return pipe(destination, options);
  };
  request.pipe(decoder);
  // What S3 keeps: the decoded length, and the encoding without
  // aws-chunked (real S3 drops it too).
  if (length === undefined) delete headers['content-length'];
  else headers['content-length'] = String(length);
  const encoding = String(headers['content-encoding'] ?? '').split(',')
    .map((part) => part.trim()).filter((part) => part !== ''
      && part.toLowerCase() !== 'aws-chunked');
  if (encoding.length === 0) delete headers['content-encoding'];
  else headers['content-encoding'] = encoding.join(', ');
  ctx.req = decoder;
  try {
    await next();
  } catch (error) {
    if (failure === undefined) throw error;
    throw new S3Error(failure.code ?? 'IncompleteBody', failure.message);
  }
});
// An error that nothing catches in s3rver (a key segment over the file
// system's 255 bytes was one, before such keys were refused) is logged:
// it used to end the child and S3 with it for good. Before it listens,
// though, an error (its port in use) is the end of it.
let ready = false;
process.on('uncaughtException', (error) => {
  if (!ready) {
    process.send({ type: 'failed', message: error.message });
    process.exit(1);
  }
  console.error('s3rver: ' + error.message);
});
const stop = () => server.close().finally(() => process.exit(0));
process.on('disconnect', stop);
process.on('message', (message) => {
  if (message === 'close') stop();
  if (message?.type === 'list') listObjects(message);
});
// The parent's reconciliation at start: the objects under a prefix.
async function listObjects({ id, bucket, prefix }) {
  try {
    const { objects } = await server.store.listObjects(bucket, { prefix });
    process.send({ type: 'listed', id, objects: objects.map((object) => ({
      key: object.key,
      etag: JSON.parse(object.metadata.etag),
      sizeBytes: object.size,
      lastModifiedMs: object.lastModifiedDate.getTime(),
    })) });
  } catch (error) {
    process.send({ type: 'list-failed', id, message: String(error),
      code: typeof error?.code === 'string' ? error.code : undefined });
  }
}
removePartialFiles(require('node:fs'), join,
  JSON.parse(process.env.ML_S3RVER_OPTIONS).directory);
server.run().then(
  ({ port }) => {
    ready = true;
    process.send({ type: 'ready', port });
  },
  (error) => {
    process.send({ type: 'failed', message: String(error) });
    process.exit(1);
  });
`;

