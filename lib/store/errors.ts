/**
 * What a failed DynamoDB condition means, as typed errors. Each one is an
 * MlError so that one which escapes the job service still renders as an
 * Elasticsearch error with a sensible status; the service may also catch
 * them and answer differently (for example wait for a busy lease).
 */
import { MlError } from '../errors.js';

/** `createJob` found the id taken (spec §8.1, test C2). */
export class JobExistsError extends MlError {
  constructor(readonly jobId: string) {
    super(400, 'resource_already_exists_exception',
      `The job cannot be created with the Id '${jobId}'. `
        + 'The Id is already used.');
    this.name = 'JobExistsError';
  }
}

/** The job's STATE item does not exist. */
export class JobMissingError extends MlError {
  constructor(readonly jobId: string) {
    super(404, 'resource_not_found_exception',
      `No known job with id '${jobId}'`);
    this.name = 'JobMissingError';
  }
}

/** Another writer holds the job's lease until `expiresAt` (epoch ms). */
export class LeaseBusyError extends MlError {
  constructor(readonly jobId: string, readonly expiresAt: number) {
    super(429, 'status_exception',
      `Job [${jobId}] is busy with another operation; try again later`);
    this.name = 'LeaseBusyError';
  }
}

/**
 * A commit or delete found that the writer no longer holds the lease, or
 * that the state moved on from the version it read: its work is discarded.
 */
export class LeaseLostError extends MlError {
  constructor(readonly jobId: string, readonly owner: string) {
    super(409, 'status_exception',
      `Job [${jobId}] was changed by another operation; try again`);
    this.name = 'LeaseLostError';
  }
}

/**
 * `putKey` found the key id taken. Ids are 120 random bits, so this
 * means a broken random source rather than bad luck; a retry with a new
 * id is safe.
 */
export class ApiKeyExistsError extends MlError {
  constructor(readonly keyId: string) {
    super(409, 'version_conflict_engine_exception',
      `an API key with id [${keyId}] already exists`);
    this.name = 'ApiKeyExistsError';
  }
}
