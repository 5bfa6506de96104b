/** Helpers for tests that run uploads through the counting core. */
import { renderDataCounts } from '../../lib/counting/dataCounts.js';
import {
  closeSession, initialCountingState, openSession, startUpload,
} from '../../lib/counting/session.js';
import type {
  CountingConfig, CountingState, ReaderLimits, UploadResult,
} from '../../lib/counting/types.js';

export const LIMITS: ReaderLimits = {
  maxRecordBytes: 1 << 20, maxDepth: 100, maxFieldsPerRecord: 10_000,
};

/** A fixed wall clock, so last_data_time is known. */
export const NOW = 1_700_000_000_000;

/**
 * Job "FQ" of spec §10: metric(responsetime) by airline, epoch seconds,
 * span 1 h → input fields {airline, responsetime, time}, A = 2.
 */
export function fqConfig(overrides: Partial<CountingConfig> = {}):
  CountingConfig {
  return {
    bucketSpanMs: 3_600_000,
    latencyMs: 0,
    timeField: 'time',
    timeFormat: 'epoch',
    inputFields: ['airline', 'responsetime', 'time'],
    format: 'xcontent',
    fieldDelimiter: '\t',
    quoteCharacter: '"',
    ...overrides,
  };
}

/**
 * Job of spec §10.7: metric(value), epoch seconds → {time, value}, A = 1.
 */
export function valueConfig(overrides: Partial<CountingConfig> = {}):
  CountingConfig {
  return fqConfig({ inputFields: ['time', 'value'], ...overrides });
}

export function openedState(config: CountingConfig): CountingState {
  return openSession(config, initialCountingState());
}

/** One upload of `body`, fed in chunks of `chunkBytes` (whole by default). */
export function post(
  config: CountingConfig,
  state: CountingState,
  body: string | Uint8Array,
  chunkBytes = Infinity,
): UploadResult {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body)
    : body;
  const upload = startUpload(config, state,
    { now: () => NOW, limits: LIMITS });
  for (let at = 0; at < bytes.length; at += chunkBytes) {
    upload.write(bytes.subarray(at, Math.min(bytes.length, at + chunkBytes)));
  }
  return upload.end();
}

/** NDJSON records with only a time (seconds) and a value. */
export function timesBody(times: readonly number[]): string {
  return times.map((t) => `{"time":"${t}","value":"${t}.0"}`).join('\n');
}

/** The rendered response, as the API would send it. */
export function rendered(
  result: UploadResult, jobId = 'job',
): Record<string, unknown> {
  return renderDataCounts(jobId, result.counts,
    result.state.analysedFieldCount, { human: false });
}

export function renderedTotals(
  state: CountingState, jobId = 'job',
): Record<string, unknown> {
  return renderDataCounts(jobId, state.totals, state.analysedFieldCount,
    { human: false });
}

export function reopen(config: CountingConfig, state: CountingState):
  CountingState {
  return openSession(config, closeSession(state));
}
