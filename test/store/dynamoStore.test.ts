import {
  DeleteItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, test } from 'vitest';
import { createDynamoJobStore } from '../../lib/store/dynamoStore.js';
import {
  JobExistsError, JobMissingError, LeaseBusyError, LeaseLostError,
} from '../../lib/store/errors.js';
import { markDeletingRequest } from '../../lib/store/requests.js';
import { ensureTable } from '../../lib/store/table.js';
import {
  dynamoClientFor, freshCounting, jobConfig, uniqueTableName,
} from './fixtures.js';

const client = dynamoClientFor(inject('dynamoUrl'));
const tableName = uniqueTableName('store');
const store = createDynamoJobStore(client, tableName);
const TTL = 60_000;

beforeAll(async () => {
  await ensureTable(client, tableName);
});

async function itemCount(jobId: string): Promise<number> {
  const page = await client.send(new QueryCommand({
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': { S: `JOB#${jobId}` } },
  }));
  return page.Items?.length ?? 0;
}

describe('creating and reading jobs', () => {
  test('a created job reads back as written with a closed state', async () => {
    await store.createJob(jobConfig('create-a'), freshCounting());

    expect(await store.getJob('create-a')).toEqual(jobConfig('create-a'));
    const state = await store.getState('create-a');
    expect(state).toMatchObject({
      jobId: 'create-a', status: 'closed', version: 0, lease: null,
      openedAt: null, ingest: null, counting: freshCounting(),
    });
  });

  test('a second create of the same id is refused with the spec message',
    async () => {
      await store.createJob(jobConfig('create-dup'), freshCounting());

      const second = store.createJob(jobConfig('create-dup'), freshCounting());
      await expect(second).rejects.toBeInstanceOf(JobExistsError);
      await expect(second).rejects.toMatchObject({
        status: 400,
        type: 'resource_already_exists_exception',
        message: "The job cannot be created with the Id 'create-dup'. "
          + 'The Id is already used.',
      });
    });

  test('an unknown job has neither config nor state', async () => {
    expect(await store.getJob('never-made')).toBeUndefined();
    expect(await store.getState('never-made')).toBeUndefined();
  });

  test('jobs are listed sorted by id', async () => {
    const listClient = dynamoClientFor(inject('dynamoUrl'));
    const listTable = uniqueTableName('list');
    await ensureTable(listClient, listTable);
    const listStore = createDynamoJobStore(listClient, listTable);
    for (const id of ['b-job', 'a_job', 'c', 'a-job', 'a1']) {
      await listStore.createJob(jobConfig(id), freshCounting());
    }

    const ids = (await listStore.listJobs()).map((job) => job.job_id);
    // Byte order: '-' (0x2d) < '1' (0x31) < '_' (0x5f) < 'b'.
    expect(ids).toEqual(['a-job', 'a1', 'a_job', 'b-job', 'c']);
  });

  test('two processes ensuring a missing table both see it made', async () => {
    const raceTable = uniqueTableName('race');

    await Promise.all([
      ensureTable(client, raceTable), ensureTable(client, raceTable),
    ]);

    const raceStore = createDynamoJobStore(client, raceTable);
    await raceStore.createJob(jobConfig('raced'), freshCounting());
    expect((await raceStore.listJobs()).map((j) => j.job_id))
      .toEqual(['raced']);
  });

  test('ensureTable is a no-op for a table that exists', async () => {
    await ensureTable(client, tableName);
    await Promise.all([
      ensureTable(client, tableName), ensureTable(client, tableName),
    ]);
    expect(await store.getJob('create-a')).toBeDefined();
  });
});

describe('the writer lease', () => {
  test('acquire, commit and release each bump the version', async () => {
    await store.createJob(jobConfig('lease-a'), freshCounting());

    const taken = await store.acquireLease('lease-a', 'w1', 1_000, TTL);
    expect(taken.version).toBe(1);
    expect(taken.lease).toEqual({ owner: 'w1', expiresAt: 61_000 });

    const counting = freshCounting();
    counting.totals.processedRecordCount = 2;
    const committed = await store.commit('lease-a', 'w1', 1,
      { status: 'opened', openedAt: 2_000, counting },
      { release: false, nowMs: 2_000, ttlMs: TTL });
    expect(committed).toMatchObject({
      version: 2, status: 'opened', openedAt: 2_000, counting,
      lease: { owner: 'w1', expiresAt: 62_000 },
    });

    const released = await store.commit('lease-a', 'w1', 2,
      { ingest: { key: 'jobs/lease-a/x', offset: 10 } },
      { release: true, nowMs: 3_000, ttlMs: TTL });
    expect(released).toMatchObject({
      version: 3, lease: null, ingest: { key: 'jobs/lease-a/x', offset: 10 },
    });
    expect(await store.getState('lease-a')).toEqual(released);
  });

  test('a held lease is busy for another writer, with its expiry',
    async () => {
      await store.createJob(jobConfig('lease-busy'), freshCounting());
      await store.acquireLease('lease-busy', 'w1', 1_000, TTL);

      const other = store.acquireLease('lease-busy', 'w2', 2_000, TTL);
      await expect(other).rejects.toBeInstanceOf(LeaseBusyError);
      await expect(other).rejects.toMatchObject({ expiresAt: 61_000 });
    });

  test('a lease on an unknown job is a missing job', async () => {
    await expect(store.acquireLease('no-such-job', 'w1', 0, TTL))
      .rejects.toBeInstanceOf(JobMissingError);
  });

  test('a commit at a stale version fails', async () => {
    await store.createJob(jobConfig('lease-stale'), freshCounting());
    await store.acquireLease('lease-stale', 'w1', 1_000, TTL);

    const stale = store.commit('lease-stale', 'w1', 0, { status: 'opened' },
      { release: false, nowMs: 1_500, ttlMs: TTL });
    await expect(stale).rejects.toBeInstanceOf(LeaseLostError);
    expect((await store.getState('lease-stale'))?.status).toBe('closed');
  });

  test('a commit by a writer that does not hold the lease fails',
    async () => {
      await store.createJob(jobConfig('lease-other'), freshCounting());
      const taken = await store.acquireLease('lease-other', 'w1', 1_000, TTL);

      const intruder = store.commit('lease-other', 'w2', taken.version,
        { status: 'opened' }, { release: true, nowMs: 1_500, ttlMs: TTL });
      await expect(intruder).rejects.toBeInstanceOf(LeaseLostError);
    });

  test('an expired lease is taken over and its old owner cannot commit',
    async () => {
      await store.createJob(jobConfig('lease-expired'), freshCounting());
      const first = await store.acquireLease(
        'lease-expired', 'w1', 1_000, TTL);

      // w1's lease runs to 61,000 ms; at 61,001 it has expired.
      const second = await store.acquireLease(
        'lease-expired', 'w2', 61_001, TTL);
      expect(second.lease).toEqual({ owner: 'w2', expiresAt: 121_001 });

      const late = store.commit('lease-expired', 'w1', first.version,
        { status: 'opened' }, { release: true, nowMs: 61_002, ttlMs: TTL });
      await expect(late).rejects.toBeInstanceOf(LeaseLostError);
    });

  test('of 20 writers racing for a free lease exactly one wins',
    async () => {
      await store.createJob(jobConfig('lease-race'), freshCounting());

      const owners = Array.from({ length: 20 }, (_, i) => `w${i}`);
      const results = await Promise.allSettled(owners.map((owner) =>
        store.acquireLease('lease-race', owner, 1_000, TTL)));

      const won = results.filter((r) => r.status === 'fulfilled');
      const busy = results.filter((r) => r.status === 'rejected'
        && r.reason instanceof LeaseBusyError);
      expect(won).toHaveLength(1);
      expect(busy).toHaveLength(19);
      const state = await store.getState('lease-race');
      expect(state?.version).toBe(1);
    });

  test('releasing by a writer that lost the lease changes nothing',
    async () => {
      await store.createJob(jobConfig('lease-release'), freshCounting());
      await store.acquireLease('lease-release', 'w1', 1_000, TTL);

      await store.releaseLease('lease-release', 'w2');
      expect((await store.getState('lease-release'))?.lease?.owner)
        .toBe('w1');

      await store.releaseLease('lease-release', 'w1');
      const state = await store.getState('lease-release');
      expect(state?.lease).toBeNull();
      // Create at 0, acquire 1, release 2.
      expect(state?.version).toBe(2);
    });
});

describe('deleting jobs', () => {
  test('deleteJob leaves no item of the job behind', async () => {
    await store.createJob(jobConfig('del-a'), freshCounting());
    await client.send(new PutItemCommand({
      TableName: tableName,
      Item: { pk: { S: 'JOB#del-a' }, sk: { S: 'OBJECT#jobs/del-a/f#e1' } },
    }));
    await store.acquireLease('del-a', 'w1', 1_000, TTL);
    expect(await itemCount('del-a')).toBe(3);

    await store.deleteJob('del-a', 'w1');

    expect(await itemCount('del-a')).toBe(0);
    expect((await store.listJobs()).map((j) => j.job_id))
      .not.toContain('del-a');
  });

  test('a delete cut off after its first write leaves the job marked',
    async () => {
      await store.createJob(jobConfig('del-cut'), freshCounting());
      await store.acquireLease('del-cut', 'w1', 1_000, TTL);
      expect((await store.getState('del-cut'))?.deleting).toBeUndefined();

      // The delete's first write, then the process is gone.
      await client.send(new UpdateItemCommand(
        markDeletingRequest(tableName, 'del-cut', 'w1')));

      const state = await store.getState('del-cut');
      expect(state?.deleting).toBe(true);
      // Deleting it again ends it.
      await store.deleteJob('del-cut', 'w1');
      expect(await itemCount('del-cut')).toBe(0);
    });

  test('deleteJob without the lease removes nothing', async () => {
    await store.createJob(jobConfig('del-nolease'), freshCounting());

    await expect(store.deleteJob('del-nolease', 'w1'))
      .rejects.toBeInstanceOf(LeaseLostError);
    expect(await itemCount('del-nolease')).toBe(2);
  });

  test('a create after a delete that crashed before STATE succeeds',
    async () => {
      // What a crash between the CONFIG and STATE deletes leaves: a STATE
      // with a lease and counts, and no CONFIG.
      await store.createJob(jobConfig('crash-del'), freshCounting());
      const taken = await store.acquireLease('crash-del', 'w1', 1_000, TTL);
      const used = freshCounting();
      used.totals.processedRecordCount = 5;
      await store.commit('crash-del', 'w1', taken.version,
        { counting: used }, { release: false, nowMs: 1_000, ttlMs: TTL });
      await client.send(new DeleteItemCommand({
        TableName: tableName,
        Key: { pk: { S: 'JOB#crash-del' }, sk: { S: 'CONFIG' } },
      }));
      expect(await store.getJob('crash-del')).toBeUndefined();

      await store.createJob(jobConfig('crash-del'), freshCounting());

      expect(await store.getJob('crash-del')).toBeDefined();
      expect(await store.getState('crash-del')).toMatchObject({
        version: 0, lease: null, counting: freshCounting(),
      });
    });

  test('a create after a create that crashed before CONFIG succeeds',
    async () => {
      // A create that wrote STATE and died before CONFIG.
      await store.createJob(jobConfig('crash-create'), freshCounting());
      await client.send(new DeleteItemCommand({
        TableName: tableName,
        Key: { pk: { S: 'JOB#crash-create' }, sk: { S: 'CONFIG' } },
      }));

      await store.createJob(jobConfig('crash-create'), freshCounting());

      expect(await store.getJob('crash-create'))
        .toEqual(jobConfig('crash-create'));
      await expect(
        store.createJob(jobConfig('crash-create'), freshCounting()),
      ).rejects.toBeInstanceOf(JobExistsError);
    });
});

describe('a commit whose reply is lost', () => {
  test('is recognised as applied when the SDK retries it', async () => {
    // The write reaches dynalite, then its answer is dropped on the way
    // back; the SDK retries, and the retry fails the version condition.
    const lossy = dynamoClientFor(inject('dynamoUrl'));
    let loseNext = false;
    lossy.middlewareStack.add((next, context) => async (args) => {
      const result = await next(args);
      if (loseNext && context.commandName === 'UpdateItemCommand') {
        loseNext = false;
        throw Object.assign(new Error('socket timed out'),
          { name: 'TimeoutError', $metadata: {} });
      }
      return result;
    }, { step: 'deserialize', name: 'loseOneReply' });
    const lossyStore = createDynamoJobStore(lossy, tableName);
    await store.createJob(jobConfig('lost-reply'), freshCounting());
    const held = await lossyStore.acquireLease('lost-reply', 'me', Date.now(),
      TTL);

    loseNext = true;
    const committed = await lossyStore.commit('lost-reply', 'me',
      held.version, { status: 'opened' },
      { release: true, nowMs: Date.now(), ttlMs: TTL });

    expect(loseNext).toBe(false);
    expect(committed).toMatchObject({
      status: 'opened', version: held.version + 1, lease: null,
    });
  });

  test('still fails when another commit got there first', async () => {
    await store.createJob(jobConfig('other-commit'), freshCounting());
    const held = await store.acquireLease('other-commit', 'me', Date.now(),
      TTL);
    await store.commit('other-commit', 'me', held.version,
      { status: 'opened' }, { release: false, nowMs: Date.now(), ttlMs: TTL });

    // Same writer, same starting version, but not the write that landed.
    await expect(store.commit('other-commit', 'me', held.version,
      { status: 'closed' }, { release: true, nowMs: Date.now(), ttlMs: TTL }))
      .rejects.toBeInstanceOf(LeaseLostError);
  });
});

describe('releasing a lease taken over by the same owner', () => {
  test('keeps the newer holder when the version has moved on', async () => {
    await store.createJob(jobConfig('same-owner'), freshCounting());
    // Two deliveries of one S3 event share an owner id; the second takes
    // the lease back, bumping the version the first one knew.
    const first = await store.acquireLease('same-owner', 'object#etag',
      Date.now(), TTL);
    const second = await store.acquireLease('same-owner', 'object#etag',
      Date.now(), TTL);

    await store.releaseLease('same-owner', 'object#etag', first.version);

    const state = await store.getState('same-owner');
    expect(state?.version).toBe(second.version);
    expect(state?.lease?.owner).toBe('object#etag');
    await store.releaseLease('same-owner', 'object#etag', second.version);
    expect((await store.getState('same-owner'))?.lease).toBeNull();
  });
});
