/**
 * The two REST operations of the S3 path: a presigned URL for one file
 * (`POST .../_upload`) and the list of a job's objects (`GET .../_uploads`).
 */
import {
  analysedFieldCount, emptyDataCounts, renderDataCounts,
} from '../counting/index.js';
import type { ObjectRecord, ObjectRecords } from '../store/objectRecords.js';
import type { ObjectStore } from '../store/objects.js';
import type { JobStore } from '../store/types.js';
import { ObjectReader } from './configReader.js';
import { isIngestMarker } from './ingestMarker.js';
import { toCountingConfig } from './jobConfig.js';
import { requireJob, requireOpen } from './jobLookup.js';
import { uploadKeyOf } from './objectKeys.js';
import type { RenderOptions } from './types.js';

export interface UploadService {
  /** `{url, key, expires_at}` for one PUT; `body` may name the file. */
  presignUpload(jobId: string, body: unknown): Promise<object>;
  /** `{count, uploads}`, in key order. */
  listUploads(jobId: string, options: RenderOptions): Promise<object>;
}

export interface UploadServiceDeps {
  store: JobStore;
  records: ObjectRecords;
  objects: ObjectStore;
  now: () => number;
  /** How long a presigned URL stays valid. */
  urlTtlSec: number;
}

/** One hour: time to start a large PUT over a slow line. */
export const DEFAULT_URL_TTL_SEC = 3600;

export function createUploadService(deps: UploadServiceDeps): UploadService {
  return {
    async presignUpload(jobId, body) {
      await requireJob(deps.store, jobId);
      const now = deps.now();
      const key = uploadKeyOf(jobId, fileNameIn(body), now);
      // A file for a closed job would be uploaded whole and only then
      // recorded failed; refusing the URL saves the client that upload.
      // The job may still be closed before the file arrives.
      await requireOpen(deps.store, jobId);
      const url = await deps.objects.presignPut(key, deps.urlTtlSec);
      return { url, key, expires_at: now + deps.urlTtlSec * 1000 };
    },

    async listUploads(jobId, options) {
      const job = await requireJob(deps.store, jobId);
      const fieldCount = analysedFieldCount(
        toCountingConfig(job).inputFields);
      const records = await deps.records.list(jobId);
      const ingesting = (await deps.store.getState(jobId))?.ingest;
      const uploads = records.map((record) => {
        const current = isIngestMarker(ingesting)
          && ingesting.key === record.key && ingesting.etag === record.etag
          && record.state === 'queued'
          ? {
            ...record, state: 'ingesting' as const,
            bytesDone: ingesting.bytesDone, counts: ingesting.counts,
          }
          : record;
        return renderUpload(current, fieldCount, options);
      });
      return { count: uploads.length, uploads };
    },
  };
}

function fileNameIn(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  return new ObjectReader('upload_request', body, ['file_name'])
    .string('file_name');
}

function renderUpload(
  record: ObjectRecord, analysedFields: number, options: RenderOptions,
): Record<string, unknown> {
  const counts = renderDataCounts(record.jobId,
    record.counts ?? emptyDataCounts(), analysedFields, options);
  const out: Record<string, unknown> = {
    key: record.key,
    etag: record.etag,
    state: record.state,
    bytes_done: record.bytesDone,
    bytes_total: record.bytesTotal,
    data_counts: counts,
  };
  if (record.error !== null) out.error = record.error;
  return out;
}
