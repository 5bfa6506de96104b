import type { JobService } from '../../lib/jobs/types.js';

export interface RecordedCall {
  operation: keyof JobService;
  args: unknown[];
  /** For postData: the body chunks as the service received them. */
  chunks?: Uint8Array[];
}

/**
 * A JobService that records each call and answers with a small object
 * naming the operation. `failWith` makes the next calls throw instead;
 * postData reads its whole body first, as the real service does.
 */
export function createJobServiceDouble() {
  const calls: RecordedCall[] = [];
  let failure: unknown;

  const answer = async (
    operation: keyof JobService, args: unknown[], chunks?: Uint8Array[],
  ): Promise<object> => {
    calls.push({ operation, args, chunks });
    if (failure !== undefined) throw failure;
    return { operation };
  };

  const jobs: JobService = {
    putJob: (...args) => answer('putJob', args),
    getJobs: (...args) => answer('getJobs', args),
    openJob: (...args) => answer('openJob', args),
    closeJob: (...args) => answer('closeJob', args),
    flushJob: (...args) => answer('flushJob', args),
    getStats: (...args) => answer('getStats', args),
    deleteJob: (...args) => answer('deleteJob', args),
    postData: async (jobId, body, options) => {
      const chunks: Uint8Array[] = [];
      try {
        for await (const chunk of body) chunks.push(chunk);
      } catch (error) {
        calls.push({ operation: 'postData', args: [jobId, options], chunks });
        throw error;
      }
      return answer('postData', [jobId, options], chunks);
    },
  };

  return {
    jobs,
    calls,
    failWith(error: unknown) {
      failure = error;
    },
    /** Bytes postData received, joined. */
    receivedBytes(): Buffer {
      return Buffer.concat(calls.flatMap((call) => call.chunks ?? []));
    },
  };
}
