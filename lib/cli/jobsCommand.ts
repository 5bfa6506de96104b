import { readFile } from 'node:fs/promises';
import { CliError } from './cliErrors.js';
import type { CliIo } from './cliIo.js';
import { describeDetector, parseDetector } from './detectorSpec.js';
import { type ServerClient, jobPath } from './serverClient.js';
import { columnsTable, formatCount, formatTime } from './textTable.js';

export interface CreateJobFlags {
  config?: string;
  bucketSpan?: string;
  detector?: string[];
  influencer?: string[];
  timeField?: string;
  timeFormat?: string;
  format?: string;
  delimiter?: string;
  description?: string;
}

/** The create job body: a config file, with flags over its values. */
export async function jobBody(
  flags: CreateJobFlags,
): Promise<Record<string, any>> {
  const body: Record<string, any> = flags.config === undefined
    ? {} : await readJson(flags.config);
  const analysis = { ...(body.analysis_config ?? {}) };
  const data = { ...(body.data_description ?? {}) };

  if (flags.description !== undefined) body.description = flags.description;
  if (flags.bucketSpan !== undefined) analysis.bucket_span = flags.bucketSpan;
  if (flags.detector?.length) {
    analysis.detectors = flags.detector.map(parseDetector);
  }
  if (flags.influencer?.length) analysis.influencers = flags.influencer;
  if (flags.timeField !== undefined) data.time_field = flags.timeField;
  if (flags.timeFormat !== undefined) data.time_format = flags.timeFormat;
  if (flags.format !== undefined) {
    data.format = flags.format === 'csv' ? 'delimited' : flags.format;
  }
  if (flags.delimiter !== undefined) {
    data.field_delimiter = flags.delimiter === '\\t' ? '\t' : flags.delimiter;
  }
  if (analysis.detectors === undefined) {
    throw new CliError('a job needs at least one detector: give --detector '
      + "'mean(responsetime) by airline' or --config <file>");
  }

  return { ...body, analysis_config: analysis, data_description: data };
}

async function readJson(path: string): Promise<Record<string, any>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new CliError(code === 'ENOENT' ? `no such file: ${path}`
      : `cannot read ${path}: ${code ?? error}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${path} is not JSON: ${(error as Error).message}`);
  }
}

export async function createJob(
  client: ServerClient, jobId: string, flags: CreateJobFlags, json: boolean,
  io: CliIo,
): Promise<void> {
  const job = await client.request('PUT', jobPath(jobId),
    { json: await jobBody(flags) });
  if (json) {
    io.stdout(`${JSON.stringify(job)}\n`);
    return;
  }
  const detectors = (job.analysis_config?.detectors ?? [])
    .map(describeDetector).join(', ');
  io.stdout(`created job ${job.job_id}: bucket span `
    + `${job.analysis_config?.bucket_span}, ${detectors}; open it with `
    + `'ml-intake jobs open ${job.job_id}'\n`);
}

export async function listJobs(
  client: ServerClient, json: boolean, io: CliIo,
): Promise<void> {
  const stats = await client.request('GET', '/_ml/anomaly_detectors/_stats');
  if (json) {
    io.stdout(`${JSON.stringify(stats)}\n`);
    return;
  }
  if (!stats.jobs?.length) {
    io.stdout('no jobs yet; create one with \'ml-intake jobs create\'\n');
    return;
  }
  io.stdout(columnsTable(
    ['JOB', 'STATE', 'PROCESSED RECORDS', 'LATEST RECORD'],
    stats.jobs.map((job: Record<string, any>) => [
      job.job_id, job.state,
      formatCount(job.data_counts?.processed_record_count),
      formatTime(job.data_counts?.latest_record_timestamp),
    ])));
}

/** open, close and delete: one call, one line saying what happened. */
export async function changeJob(
  client: ServerClient, action: 'open' | 'close' | 'delete', jobId: string,
  options: { force?: boolean; json: boolean }, io: CliIo,
): Promise<void> {
  const answer = action === 'delete'
    ? await client.request('DELETE',
      jobPath(jobId, options.force ? '?force=true' : ''))
    : await client.request('POST', jobPath(jobId, `/_${action}`));
  if (options.json) {
    io.stdout(`${JSON.stringify(answer)}\n`);
    return;
  }
  const done = { open: 'opened', close: 'closed', delete: 'deleted' };
  io.stdout(`${done[action]} job ${jobId}\n`);
}
