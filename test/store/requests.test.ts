import { describe, expect, test } from 'vitest';
import {
  acquireLeaseRequest, commitRequest, deletionRank, listJobsRequest,
  putConfigRequest, putNewStateRequest, releaseLeaseRequest,
} from '../../lib/store/requests.js';
import { stateFromItem } from '../../lib/store/items.js';
import { freshCounting, jobConfig } from './fixtures.js';

describe('requests of the job store', () => {
  test('a new STATE item is closed, at version 0 and may not exist', () => {
    const request = putNewStateRequest('t', 'farequote', freshCounting());

    expect(request.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(request.Item?.pk).toEqual({ S: 'JOB#farequote' });
    expect(request.Item?.sk).toEqual({ S: 'STATE' });
    expect(stateFromItem(request.Item ?? {})).toEqual({
      jobId: 'farequote',
      status: 'closed',
      version: 0,
      counting: freshCounting(),
      openedAt: null,
      lease: null,
      ingest: null,
    });
  });

  test('only the CONFIG item carries the keys of the jobs index', () => {
    const config = putConfigRequest('t', jobConfig('farequote'));
    const state = putNewStateRequest('t', 'farequote', freshCounting());

    expect(config.Item?.jobsPk).toEqual({ S: 'JOBS' });
    expect(config.Item?.jobsSk).toEqual({ S: 'farequote' });
    expect(config.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(state.Item?.jobsPk).toBeUndefined();
  });

  test('the CONFIG item keeps the job in its original key order', () => {
    const job = jobConfig('farequote');
    const request = putConfigRequest('t', job);

    const stored = JSON.parse(request.Item?.config?.S ?? '{}');
    expect(Object.keys(stored)).toEqual(Object.keys(job));
  });

  test('listing reads the index in ascending job id order', () => {
    const request = listJobsRequest('t');

    expect(request.IndexName).toBe('jobs-by-id');
    expect(request.ScanIndexForward).toBe(true);
  });

  test('a lease is taken only when free or expired, and sets the expiry',
    () => {
      // 1,000 ms now + 60,000 ms time to live = 61,000.
      const request = acquireLeaseRequest('t', 'a', 'w1', 1_000, 60_000);

      expect(request.ConditionExpression).toContain(
        'attribute_not_exists(leaseOwner)');
      expect(request.ConditionExpression).toContain('leaseExpiresAt < :now');
      expect(request.ExpressionAttributeValues?.[':expires'])
        .toEqual({ N: '61000' });
      expect(request.ExpressionAttributeValues?.[':now'])
        .toEqual({ N: '1000' });
      expect(request.UpdateExpression).toContain('version = version + :one');
    });

  test('a commit is conditional on owner and version and bumps it', () => {
    const request = commitRequest('t', 'a', 'w1', 7,
      { status: 'opened', openedAt: 5 },
      { release: false, nowMs: 100, ttlMs: 50 });

    expect(request.ConditionExpression)
      .toBe('leaseOwner = :owner AND version = :expected');
    expect(request.ExpressionAttributeValues?.[':expected'])
      .toEqual({ N: '7' });
    expect(request.ExpressionAttributeValues?.[':next'])
      .toEqual({ N: '8' });
    // Renewed to 100 + 50.
    expect(request.ExpressionAttributeValues?.[':expires'])
      .toEqual({ N: '150' });
    expect(request.ExpressionAttributeNames).toEqual({ '#status': 'status' });
    expect(request.UpdateExpression).not.toContain('REMOVE');
  });

  test('a releasing commit removes the lease and a null clears a field',
    () => {
      const request = commitRequest('t', 'a', 'w1', 2,
        { openedAt: null, ingest: null },
        { release: true, nowMs: 100, ttlMs: 50 });

      expect(request.UpdateExpression).toBe(
        'SET version = :next REMOVE openedAt, ingest, leaseOwner, '
        + 'leaseExpiresAt');
      expect(request.ExpressionAttributeNames).toBeUndefined();
    });

  test('releasing is conditional on the owner', () => {
    const request = releaseLeaseRequest('t', 'a', 'w1');

    expect(request.ConditionExpression).toBe('leaseOwner = :owner');
    expect(request.ExpressionAttributeValues?.[':owner'])
      .toEqual({ S: 'w1' });
  });

  test('a delete removes finished objects before the CONFIG and STATE',
    () => {
      const ranks = ['STATE', 'CONFIG', 'OBJECT#k#e'].map(deletionRank);

      expect(ranks[2]).toBeLessThan(ranks[1]);
      expect(ranks[1]).toBeLessThan(ranks[0]);
    });
});
