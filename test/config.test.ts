import { describe, expect, test } from 'vitest';
import {
  loadConfig, loadIngestSettings, loadLocalSettings, loadQueueSettings,
  localInflightBytes,
} from '../lib/config.js';

// Every default below is the one the README's Configuration table gives.
const MiB = 1024 * 1024;

describe('the service settings', () => {
  test('take the documented defaults when nothing is set', () => {
    expect(loadConfig({})).toEqual({
      tableName: 'ml-intake',
      bucketName: 'ml-intake',
      leaseWaitMs: 10_000,
      leaseTtlMs: 60_000,
      maxBodyBytes: 100 * MiB,
      readerLimits: {
        maxRecordBytes: 10 * MiB, maxDepth: 1000, maxFieldsPerRecord: 10_000,
      },
    });
  });

  test('read each variable by its documented name', () => {
    const config = loadConfig({
      ML_TABLE: 't', ML_BUCKET: 'b', ML_LEASE_WAIT_MS: '1',
      ML_LEASE_TTL_MS: '2', ML_MAX_BODY_BYTES: '3', ML_MAX_RECORD_BYTES: '4',
      ML_MAX_DEPTH: '5', ML_MAX_FIELDS: '6',
    });

    expect(config).toEqual({
      tableName: 't', bucketName: 'b', leaseWaitMs: 1, leaseTtlMs: 2,
      maxBodyBytes: 3,
      readerLimits: { maxRecordBytes: 4, maxDepth: 5, maxFieldsPerRecord: 6 },
    });
  });

  test('treat an empty variable as unset', () => {
    expect(loadConfig({ ML_TABLE: '', ML_MAX_BODY_BYTES: '' }))
      .toMatchObject({ tableName: 'ml-intake', maxBodyBytes: 100 * MiB });
  });

  test.each(['-1', '1.5', 'ten', '0x10', '1e3', '9007199254740993'])(
    'refuse %s as a size and name the variable', (raw) => {
      expect(() => loadConfig({ ML_MAX_BODY_BYTES: raw })).toThrow(
        `ML_MAX_BODY_BYTES must be a non-negative integer, got '${raw}'`);
    });
});

describe('the S3 path settings', () => {
  test('take the documented defaults when nothing is set', () => {
    // 8 MiB chunks, a 35 minute hold, a 20 s margin, no counting thread.
    expect(loadIngestSettings({})).toEqual({
      chunkBytes: 8 * MiB, holdMs: 35 * 60_000, marginMs: 20_000,
      countingThread: false,
    });
  });

  test('take ML_COUNTING_THREAD as on or off, in any case', () => {
    expect(loadIngestSettings({ ML_COUNTING_THREAD: 'ON' }).countingThread)
      .toBe(true);
    expect(loadIngestSettings({ ML_COUNTING_THREAD: 'off' },
      { countingThread: true }).countingThread).toBe(false);
    expect(() => loadIngestSettings({ ML_COUNTING_THREAD: '1' })).toThrow(
      "ML_COUNTING_THREAD must be 'on' or 'off', got '1'");
  });

  test('let a caller replace a default but not a variable that is set',
    () => {
      expect(loadIngestSettings({}, { holdMs: 120_000 }).holdMs)
        .toBe(120_000);
      expect(loadIngestSettings({ ML_INGEST_HOLD_MS: '5' },
        { holdMs: 120_000 }).holdMs).toBe(5);
    });

  test('refuse a chunk of zero bytes', () => {
    expect(() => loadIngestSettings({ ML_CHUNK_BYTES: '0' })).toThrow(
      "ML_CHUNK_BYTES must be a positive integer, got '0'");
  });
});

describe('the local service settings', () => {
  test('take the documented defaults when nothing is set', () => {
    expect(loadLocalSettings({})).toEqual({
      host: '127.0.0.1', port: 9200, s3Port: 4569, dataDir: './.data',
      maxInflightBytes: undefined,
      // 30 KiB in each 30 s, as the README's table says.
      bodyWindowMs: 30_000, minBodyBytesPerSec: 1024,
    });
  });

  test('read the ports, the address, the data folder and body limits', () => {
    expect(loadLocalSettings({
      PORT: '0', S3_PORT: '65535', ML_HOST: '::1', ML_DATA_DIR: '/d',
      ML_MAX_INFLIGHT_BYTES: '1048576', ML_BODY_WINDOW_MS: '500',
      ML_MIN_BODY_BYTES_PER_SEC: '0',
    })).toEqual({
      host: '::1', port: 0, s3Port: 65_535, dataDir: '/d',
      maxInflightBytes: 1_048_576, bodyWindowMs: 500, minBodyBytesPerSec: 0,
    });
  });

  test.each([['PORT', '65536'], ['S3_PORT', '-1'], ['PORT', 'http']])(
    'refuse %s=%s as a port', (name, raw) => {
      expect(() => loadLocalSettings({ [name]: raw })).toThrow(
        `${name} must be a port number (0-65535), got '${raw}'`);
    });

  test('refuse a body window of 0 ms', () => {
    expect(() => loadLocalSettings({ ML_BODY_WINDOW_MS: '0' })).toThrow(
      "ML_BODY_WINDOW_MS must be a positive integer, got '0'");
  });

  test('give requests in flight twice the body limit unless set', () => {
    // Two bodies of the 100 MiB default.
    expect(localInflightBytes(loadLocalSettings({}), 100 * MiB))
      .toBe(200 * MiB);
    expect(localInflightBytes({ maxInflightBytes: 7 }, 100 * MiB)).toBe(7);
  });
});

describe('the ingest queue settings', () => {
  test('are absent unless the template sets them', () => {
    expect(loadQueueSettings({})).toEqual({
      queueUrl: undefined, maxReceives: undefined });
  });

  test('read the queue URL and the receive limit', () => {
    const queueUrl = 'https://sqs.eu-west-1.amazonaws.com/1/ingest';
    expect(loadQueueSettings({ ML_INGEST_QUEUE_URL: queueUrl,
      ML_MAX_RECEIVES: '50' })).toEqual({ queueUrl, maxReceives: 50 });
  });

  test('refuse a receive limit that is not a positive integer', () => {
    expect(() => loadQueueSettings({ ML_MAX_RECEIVES: '0' })).toThrow(
      "ML_MAX_RECEIVES must be a positive integer, got '0'");
  });
});
