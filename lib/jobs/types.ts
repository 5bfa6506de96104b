/**
 * The operations of the job APIs, as the API layer calls them. Each returns
 * the response body as a plain object in Elasticsearch's key order; errors
 * are thrown as MlError.
 */

export interface RenderOptions {
  /** `?human=true`: add `<name>_string` companions to timestamps. */
  human: boolean;
}

export interface ResetRange {
  /** Raw `reset_start` and `reset_end` query values, when given. */
  start?: string;
  end?: string;
}

export interface FlushParams {
  calcInterim?: boolean;
  start?: string;
  end?: string;
  advanceTime?: string;
  skipTime?: string;
}

export interface StatsOptions extends RenderOptions {
  allowNoMatch: boolean;
}

export interface GetJobsOptions {
  /** False: a wildcard or `_all` that matches no job is a 404. */
  allowNoMatch: boolean;
  /**
   * Leave out the fields the service sets rather than the user
   * (`job_version`, `create_time`), so that the answer can be sent back
   * as a job to create elsewhere.
   */
  excludeGenerated: boolean;
}

export interface JobService {
  putJob(jobId: string, body: unknown): Promise<object>;
  getJobs(
    jobIdExpression: string | undefined, options: GetJobsOptions,
  ): Promise<object>;
  openJob(jobId: string): Promise<object>;
  /** `allowNoMatch` false: a wildcard that matches no job is a 404. */
  closeJob(
    jobIdExpression: string, options: { allowNoMatch: boolean },
  ): Promise<object>;
  flushJob(
    jobId: string, params: FlushParams, options: RenderOptions,
  ): Promise<object>;
  getStats(
    jobIdExpression: string | undefined, options: StatsOptions,
  ): Promise<object>;
  deleteJob(jobId: string, options: { force: boolean }): Promise<object>;
  /**
   * Counts one upload. `body` yields the decoded (decompressed) bytes; the
   * job's lease is held while it is read. Resolves to the upload's counts.
   */
  postData(
    jobId: string,
    body: AsyncIterable<Uint8Array>,
    options: RenderOptions & { reset: ResetRange },
  ): Promise<object>;
}
