import type {
  GetJobsOptions, JobService, RenderOptions,
} from '../jobs/types.js';
import { parseTimeValue } from '../timeValue.js';
import { checkExpandWildcards } from './expandWildcards.js';
import type { UploadService } from '../jobs/uploadService.js';
import { SECURITY_ROUTES, type KeyContext } from './securityRoutes.js';

/**
 * Every REST route, as data: method, paths, the Elasticsearch action that
 * authorization checks, the query parameters it accepts besides the global
 * ones, how it takes a body, and the one JobService call it translates to.
 */

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

/**
 * - `none`: no body allowed;
 * - `json`: an optional JSON body (parameters may be sent in it);
 * - `json-required`: a JSON body that must be there;
 * - `data`: the post data stream, handed on undecoded as JSON.
 */
export type BodyPolicy = 'none' | 'json' | 'json-required' | 'data';

/** Parameters of a route, from the query string or from a JSON body. */
export interface Args {
  text(name: string): string | undefined;
  flag(name: string, fallback: boolean): boolean;
}

export interface RouteContext {
  jobs: JobService;
  /** The S3 upload path's operations; absent where no bucket is set up. */
  uploads?: UploadService;
  /** Decoded path parameters, e.g. `job_id`. */
  pathParams: Record<string, string>;
  args: Args;
  render: RenderOptions;
  /** The parsed JSON body; undefined when there was none. */
  json: unknown;
  /** The decompressed body, in chunks of at most 64 KiB. */
  data: AsyncIterable<Uint8Array>;
  /** API key management; absent while authentication is off. */
  keys?: KeyContext;
}

export interface RouteSpec {
  method: HttpMethod;
  paths: readonly string[];
  action: string;
  /** Accepted query parameters, besides the global ones. */
  params: readonly string[];
  body: BodyPolicy;
  /**
   * When set, a JSON body replaces the query parameters (as Elasticsearch
   * does for open, close and flush): its fields, and the parser name its
   * errors carry.
   */
  bodyArgs?: { parser: string; fields: readonly string[] };
  /** `{job_id}` names one job and is checked before any store access. */
  singleJobId: boolean;
  status: number;
  call: (context: RouteContext) => Promise<object>;
}

/** Accepted on every route (Elasticsearch's response parameters). */
export const GLOBAL_PARAMS = [
  'pretty', 'human', 'error_trace', 'filter_path', 'format',
] as const;

const ml = (rest: string): string[] =>
  [`/_ml/${rest}`, `/_xpack/ml/${rest}`];

const job = (context: RouteContext): string => context.pathParams.job_id;

function uploadsOf(context: RouteContext): UploadService {
  if (context.uploads === undefined) {
    throw new Error('the S3 upload path is not configured');
  }
  return context.uploads;
}

const ACTION = {
  put: 'cluster:admin/xpack/ml/job/put',
  get: 'cluster:monitor/xpack/ml/job/get',
  delete: 'cluster:admin/xpack/ml/job/delete',
  open: 'cluster:admin/xpack/ml/job/open',
  close: 'cluster:admin/xpack/ml/job/close',
  flush: 'cluster:admin/xpack/ml/job/flush',
  stats: 'cluster:monitor/xpack/ml/job/stats/get',
  postData: 'cluster:admin/xpack/ml/job/data/post',
  upload: 'cluster:admin/xpack/ml/job/data/upload',
  uploads: 'cluster:monitor/xpack/ml/job/uploads/get',
} as const;

const FLUSH_PARAMS = [
  'calc_interim', 'start', 'end', 'advance_time', 'skip_time',
] as const;

/** `allow_no_jobs` is the older name of `allow_no_match` (spec 8.3). */
const CLOSE_PARAMS = [
  'force', 'timeout', 'allow_no_match', 'allow_no_jobs',
] as const;

const DELETE_PARAMS = [
  'force', 'wait_for_completion', 'delete_user_annotations',
] as const;

/** Datafeed index options Elasticsearch takes on job creation. */
const PUT_PARAMS = [
  'allow_no_indices', 'expand_wildcards', 'ignore_throttled',
  'ignore_unavailable',
] as const;

const GET_PARAMS = ['allow_no_match', 'exclude_generated'] as const;

function getJobsOptions(args: Args): GetJobsOptions {
  return {
    allowNoMatch: args.flag('allow_no_match', true),
    excludeGenerated: args.flag('exclude_generated', false),
  };
}

/**
 * Opening and closing are immediate here, so `timeout` changes nothing;
 * it is still read as a time value so that a malformed one is refused.
 */
function checkTimeout(args: Args): void {
  const raw = args.text('timeout');
  if (raw !== undefined) parseTimeValue('timeout', raw);
}

const base = {
  params: [], body: 'none', singleJobId: false, status: 200,
} as const;

export const ROUTES: readonly RouteSpec[] = [
  {
    ...base, method: 'PUT', paths: ml('anomaly_detectors/{job_id}'),
    action: ACTION.put, params: PUT_PARAMS, body: 'json-required',
    singleJobId: true,
    call: (c) => {
      // Elasticsearch applies these to the datafeed given with the job;
      // here there are no datafeeds, so they are checked and unused.
      c.args.flag('allow_no_indices', true);
      c.args.flag('ignore_throttled', true);
      c.args.flag('ignore_unavailable', false);
      checkExpandWildcards(c.args.text('expand_wildcards'));
      return c.jobs.putJob(job(c), c.json);
    },
  },
  {
    ...base, method: 'GET', paths: ml('anomaly_detectors/{job_id}'),
    action: ACTION.get, params: GET_PARAMS,
    call: (c) => c.jobs.getJobs(job(c), getJobsOptions(c.args)),
  },
  {
    ...base, method: 'GET', paths: ml('anomaly_detectors'),
    action: ACTION.get, params: GET_PARAMS,
    call: (c) => c.jobs.getJobs(undefined, getJobsOptions(c.args)),
  },
  {
    ...base, method: 'DELETE', paths: ml('anomaly_detectors/{job_id}'),
    action: ACTION.delete, params: DELETE_PARAMS, singleJobId: true,
    call: (c) => {
      // Deleting is synchronous here, so `wait_for_completion=false` gets
      // the same `{"acknowledged": true}` once the job is gone, where
      // Elasticsearch answers with a task id. There are no annotations to
      // keep or delete. Both are parsed so that a malformed value is
      // refused.
      c.args.flag('wait_for_completion', true);
      c.args.flag('delete_user_annotations', false);
      return c.jobs.deleteJob(job(c), {
        force: c.args.flag('force', false),
      });
    },
  },
  {
    ...base, method: 'POST', paths: ml('anomaly_detectors/{job_id}/_open'),
    action: ACTION.open, params: ['timeout'], body: 'json',
    bodyArgs: { parser: 'job_params', fields: ['job_id', 'timeout'] },
    singleJobId: true,
    call: (c) => {
      checkTimeout(c.args);
      return c.jobs.openJob(job(c));
    },
  },
  {
    ...base, method: 'POST', paths: ml('anomaly_detectors/{job_id}/_close'),
    action: ACTION.close, params: CLOSE_PARAMS, body: 'json',
    bodyArgs: {
      parser: 'close_job_request', fields: ['job_id', ...CLOSE_PARAMS],
    },
    call: (c) => {
      // Closing never waits here, so `force` changes nothing; it is still
      // parsed so that a malformed value is refused.
      c.args.flag('force', false);
      checkTimeout(c.args);
      return c.jobs.closeJob(job(c), {
        allowNoMatch: c.args.flag('allow_no_match',
          c.args.flag('allow_no_jobs', true)),
      });
    },
  },
  {
    ...base, method: 'POST', paths: ml('anomaly_detectors/{job_id}/_flush'),
    action: ACTION.flush, params: FLUSH_PARAMS, body: 'json',
    bodyArgs: { parser: 'flush_job', fields: FLUSH_PARAMS },
    singleJobId: true,
    call: (c) => c.jobs.flushJob(job(c), {
      calcInterim: c.args.flag('calc_interim', false),
      start: c.args.text('start'),
      end: c.args.text('end'),
      advanceTime: c.args.text('advance_time'),
      skipTime: c.args.text('skip_time'),
    }, c.render),
  },
  {
    ...base, method: 'GET', paths: ml('anomaly_detectors/{job_id}/_stats'),
    action: ACTION.stats, params: ['allow_no_match'],
    call: (c) => c.jobs.getStats(job(c), {
      ...c.render, allowNoMatch: c.args.flag('allow_no_match', true),
    }),
  },
  {
    ...base, method: 'GET', paths: ml('anomaly_detectors/_stats'),
    action: ACTION.stats, params: ['allow_no_match'],
    call: (c) => c.jobs.getStats(undefined, {
      ...c.render, allowNoMatch: c.args.flag('allow_no_match', true),
    }),
  },
  {
    ...base, method: 'POST', paths: ml('anomaly_detectors/{job_id}/_data'),
    action: ACTION.postData, params: ['reset_start', 'reset_end'],
    body: 'data', singleJobId: true, status: 202,
    call: (c) => c.jobs.postData(job(c), c.data, {
      ...c.render,
      reset: { start: c.args.text('reset_start'),
        end: c.args.text('reset_end') },
    }),
  },
  // The S3 upload path: an addition to Elasticsearch's API.
  {
    ...base, method: 'POST',
    paths: ml('anomaly_detectors/{job_id}/_upload'),
    action: ACTION.upload, body: 'json', singleJobId: true,
    call: (c) => uploadsOf(c).presignUpload(job(c), c.json),
  },
  {
    ...base, method: 'GET',
    paths: ml('anomaly_detectors/{job_id}/_uploads'),
    action: ACTION.uploads, singleJobId: true,
    call: (c) => uploadsOf(c).listUploads(job(c), c.render),
  },
  ...SECURITY_ROUTES,
];
