import { describe, expect, test } from 'vitest';
import {
  addRecord, clearCounters, createDiagnostics, flushAll, foldInto, windowSize,
} from '../../lib/counting/bucketDiagnostics.js';
import { emptyDataCounts } from '../../lib/counting/dataCounts.js';
import type { DiagnosticsState } from '../../lib/counting/types.js';

// Spec §10.5: span 60 000 ms, latency 0 unless stated, no seeding, counters
// cumulative: (bucket, empty, sparse, latest empty, latest sparse).
const SPAN = 60_000;

function diagnostics(latencyMs = 0) {
  const state = createDiagnostics(SPAN, latencyMs);
  return {
    state,
    add: (...times: number[]) => {
      for (const t of times) addRecord(state, SPAN, t);
    },
    flush: () => flushAll(state, SPAN),
  };
}

/** n records at min + (i mod (max − min)), i = 0 … n − 1. */
function many(min: number, max: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => min + (i % (max - min)));
}

function result(state: DiagnosticsState) {
  return [state.bucketCount, state.emptyBucketCount, state.sparseBucketCount,
    state.latestEmpty === -1 ? null : state.latestEmpty,
    state.latestSparse === -1 ? null : state.latestSparse];
}

const D8_BUCKETS: Array<[number, number]> = [
  [10000, 1000], [70000, 1200], [130000, 1], [190000, 1100], [250000, 1300],
  [310000, 1050], [370000, 1022], [430000, 10], [490000, 1333],
  [550000, 1400]];

function addBuckets(
  run: ReturnType<typeof diagnostics>, buckets: Array<[number, number]>,
) {
  for (const [min, n] of buckets) run.add(...many(min, min + 59000, n));
}

describe('the moving window of bucket diagnostics (spec §7, §10.5)', () => {
  test('sizes the window at ten buckets or the latency, whichever is more',
    () => {
      expect(windowSize(SPAN, 0)).toBe(10);
      expect(windowSize(SPAN, 3 * SPAN)).toBe(10);
      expect(windowSize(SPAN, 13 * SPAN + 10_000)).toBe(14);
    });

  test('finalises only buckets before the latest one, step by step (D1)',
    () => {
      const run = diagnostics();
      run.add(1000, 2000, 3000);
      run.flush();
      expect(result(run.state)).toEqual([0, 0, 0, null, null]);
      run.add(4000, 5000, 6000);
      run.flush();
      expect(result(run.state)).toEqual([0, 0, 0, null, null]);
      run.add(61000, 62000);
      run.flush();
      expect(result(run.state)).toEqual([1, 0, 0, null, null]);
      run.add(181000, 181001);
      run.flush();
      expect(result(run.state)).toEqual([3, 1, 0, 120000, null]);
    });

  const tenSteps = Array.from({ length: 10 }, (_, k) => 70000 + k * 60000);

  test('counts nine buckets for ten ascending minutes (D2)', () => {
    const run = diagnostics();
    run.add(...tenSteps);
    run.flush();
    expect(result(run.state)).toEqual([9, 0, 0, null, null]);
  });

  test('counts nine buckets for the same minutes descending (D3)', () => {
    const run = diagnostics();
    run.add(...tenSteps.slice().reverse());
    run.flush();
    expect(result(run.state)).toEqual([9, 0, 0, null, null]);
  });

  function latencyLoop(run: ReturnType<typeof diagnostics>) {
    for (let ts = 70000; ts < 70000 + 20 * 60000; ts += 60000) {
      run.add(...many(ts - 60000, 2 * ts, 100));
    }
  }

  test('keeps buckets open inside the latency window until the flush (D4)',
    () => {
      const run = diagnostics(180_000);
      latencyLoop(run);
      expect(run.state.bucketCount).toBe(10);
      run.flush();
      expect(run.state.bucketCount).toBe(19);
    });

  test('uses a fourteen-bucket window for a longer latency (D5)', () => {
    const run = diagnostics(13 * 60000 + 10000);
    latencyLoop(run);
    expect(run.state.bucketCount).toBe(6);
    run.flush();
    expect(run.state.bucketCount).toBe(19);
  });

  test('counts the gaps as empty buckets (D6)', () => {
    const run = diagnostics();
    run.add(10000, 70000, 190000, 250000, 310000, 370000, 490000, 550000);
    run.flush();
    expect(result(run.state)).toEqual([9, 2, 0, 420000, null]);
  });

  test('counts empty buckets far from the epoch (D7)', () => {
    const run = diagnostics();
    run.add(1110000, 1170000, 1290000, 1350000, 1410000, 1470000, 1590000,
      1650000);
    run.flush();
    expect(result(run.state)).toEqual([9, 2, 0, 1500000, null]);
  });

  test('judges buckets far below the window average sparse (D8, D13)', () => {
    const run = diagnostics();
    addBuckets(run, D8_BUCKETS);
    run.flush();
    expect(result(run.state)).toEqual([9, 0, 2, null, 420000]);
  });

  test('does not judge the sparse latest bucket (D9)', () => {
    const run = diagnostics();
    const buckets = D8_BUCKETS.map(([min, n]): [number, number] =>
      [min, min === 430000 ? 1400 : min === 550000 ? 10 : n]);
    addBuckets(run, buckets);
    run.flush();
    expect(result(run.state)).toEqual([9, 0, 1, null, 120000]);
  });

  test('judges a sparse bucket just before the latest one (D10)', () => {
    const run = diagnostics();
    const buckets = D8_BUCKETS.map(([min, n]): [number, number] => [min,
      min === 430000 ? 1400 : min === 490000 ? 9 : min === 550000 ? 10 : n]);
    addBuckets(run, buckets);
    run.flush();
    expect(result(run.state)).toEqual([9, 0, 2, null, 480000]);
  });

  test('counts empty and sparse buckets together (D11)', () => {
    const run = diagnostics();
    addBuckets(run, [[10000, 1000], [70000, 1200], [130000, 1],
      [250000, 1300], [310000, 1050], [370000, 1022], [430000, 10],
      [550000, 1400]]);
    run.flush();
    expect(result(run.state)).toEqual([9, 2, 2, 480000, 420000]);
  });

  test('counts a long gap as a run of empty buckets (D12)', () => {
    const run = diagnostics();
    run.add(10000, 70000, 190000, 250000, 310000, 370000, 490000, 550000);
    run.add(6490000);
    run.flush();
    expect(result(run.state)).toEqual([108, 100, 0, 6420000, null]);
  });

  test('counts a gap of a million buckets at once, as single steps would',
    () => {
      const run = diagnostics();
      run.add(10000, 60_000 * 1_000_000 + 10000);
      run.flush();
      // Buckets 0 … 999,999 are finalised (the latest, 1,000,000, is not);
      // all but bucket 0 are empty, the last of them starts at 999,999 spans.
      expect(result(run.state)).toEqual(
        [1_000_000, 999_999, 0, 999_999 * SPAN, null]);
    });

  test('gives the same counts in bulk and step by step just past the switch',
    () => {
      // 2W + 3 buckets after a sparse-looking window: W = 10 single steps
      // fill, W more empty it, 3 are counted in bulk.
      const stepped = diagnostics();
      addBuckets(stepped, D8_BUCKETS);
      for (let k = 1; k <= 23; k += 1) stepped.add(550000 + k * SPAN);
      stepped.flush();
      const bulk = diagnostics();
      addBuckets(bulk, D8_BUCKETS);
      bulk.add(550000 + 23 * SPAN);
      bulk.flush();

      // Stepped, every bucket after 550000 holds one record; bulk, the 22
      // between are empty. Buckets finalised: 0 … 32 minus the latest = 32.
      expect(stepped.state.bucketCount).toBe(32);
      expect(bulk.state.bucketCount).toBe(32);
      expect(bulk.state.emptyBucketCount).toBe(22);
      expect(bulk.state.latestEmpty).toBe(550000 - 10000 + 22 * SPAN);
    });

  test('answers at once for a time saturated at the largest 64-bit value',
    () => {
      const run = diagnostics();
      run.add(10000, 9223372036854775807);
      run.flush();
      expect(run.state.bucketCount).toBeGreaterThan(1e14);
      expect(run.state.emptyBucketCount).toBe(run.state.bucketCount - 1);
    });

  test('counts nothing without records (D14)', () => {
    const run = diagnostics();
    run.flush();
    expect(run.state.bucketCount).toBe(0);
  });
});

describe('folding diagnostics into data counts (spec §7.6)', () => {
  test('adds the counters, raises the timestamps and clears only counters',
    () => {
      const run = diagnostics();
      run.add(10000, 70000, 190000, 250000, 310000, 370000, 490000, 550000);
      run.flush();
      const counts = emptyDataCounts();
      counts.latestEmptyBucketTimestamp = 500000;
      foldInto(run.state, counts);
      clearCounters(run.state);
      // D6: (9, 2, 0, 420000); 500000 is later than 420000 and stays.
      expect(counts.bucketCount).toBe(9);
      expect(counts.emptyBucketCount).toBe(2);
      expect(counts.latestEmptyBucketTimestamp).toBe(500000);
      expect(counts.latestSparseBucketTimestamp).toBeNull();
      expect(result(run.state)).toEqual([0, 0, 0, 420000, null]);
    });
});
