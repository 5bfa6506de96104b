import { beforeAll, describe, expect, inject, test } from 'vitest';
import { releaseStaleLeases } from '../../infra/local/staleLeases.js';
import { createDynamoJobStore } from '../../lib/store/dynamoStore.js';
import { ensureTable } from '../../lib/store/table.js';
import type { JobStore } from '../../lib/store/types.js';
import {
  dynamoClientFor, freshCounting, jobConfig, uniqueTableName,
} from '../store/fixtures.js';

const client = dynamoClientFor(inject('dynamoUrl'));
const TTL = 60_000;

async function freshStore(): Promise<JobStore> {
  const tableName = uniqueTableName('stale');
  await ensureTable(client, tableName);
  return createDynamoJobStore(client, tableName);
}

async function jobWithLease(store: JobStore, jobId: string, owner?: string) {
  await store.createJob(jobConfig(jobId), freshCounting());
  if (owner !== undefined) {
    await store.acquireLease(jobId, owner, Date.now(), TTL);
  }
}

// An S3 object cut short after its first commit: the marker names the
// owner that holds the lease; only the fields the check reads matter.
const marker = {
  key: 'jobs/half/big.ndjson', etag: '75d578e397f02e508c63038e8d516025',
  owner: 'object-5f0c2a8e6b1d4f3a9c7e2b1d0a9f8e7d',
};

describe('the writer leases found at start', () => {
  test('are released when an upload or operation of a dead process held '
    + 'them, and no other job is written', async () => {
    const store = await freshStore();
    await jobWithLease(store, 'upload-cut', 'a1b2c3d4-http-upload');
    await jobWithLease(store, 'free');
    const freeVersion = (await store.getState('free'))?.version;

    const released = await releaseStaleLeases(store);

    expect(released).toEqual(['upload-cut']);
    expect((await store.getState('upload-cut'))?.lease).toBeNull();
    expect((await store.getState('free'))?.version).toBe(freeVersion);
    // Another writer gets the job at once.
    await expect(store.acquireLease('upload-cut', 'next', Date.now(), TTL))
      .resolves.toMatchObject({ lease: { owner: 'next' } });
  });

  test('are kept when the job\'s marker names their owner, for the '
    + 'object that the resume delivers again', async () => {
    const store = await freshStore();
    await jobWithLease(store, 'half', marker.owner);
    const held = await store.getState('half');
    await store.commit('half', marker.owner, held?.version ?? 0,
      { ingest: marker }, { release: false, nowMs: Date.now(), ttlMs: TTL });

    expect(await releaseStaleLeases(store)).toEqual([]);
    expect((await store.getState('half'))?.lease?.owner).toBe(marker.owner);
  });

  test('of another owner than the marker names are released', async () => {
    // The object's hold ran out and an upload took the job, then died.
    const store = await freshStore();
    await jobWithLease(store, 'taken', marker.owner);
    const held = await store.getState('taken');
    await store.commit('taken', marker.owner, held?.version ?? 0,
      { ingest: marker }, { release: false, nowMs: 0, ttlMs: 0 });
    await store.acquireLease('taken', 'upload-after', Date.now(), TTL);

    expect(await releaseStaleLeases(store)).toEqual(['taken']);
    expect((await store.getState('taken'))?.lease).toBeNull();
  });

  test('taken over between the read and the release are not dropped',
    async () => {
      const store = await freshStore();
      // Expired at once, so that the next writer may take it over.
      await store.createJob(jobConfig('raced'), freshCounting());
      await store.acquireLease('raced', 'dead', 0, 0);
      const racing: JobStore = {
        ...store,
        getState: async (jobId) => {
          const state = await store.getState(jobId);
          await store.acquireLease(jobId, 'live', Date.now(), TTL);
          return state;
        },
      };

      await releaseStaleLeases(racing);

      expect((await store.getState('raced'))?.lease?.owner).toBe('live');
    });
});
