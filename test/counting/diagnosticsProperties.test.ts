import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  addRecord, copyDiagnostics, createDiagnostics, flushAll, windowSize,
} from '../../lib/counting/bucketDiagnostics.js';
import type { DiagnosticsState } from '../../lib/counting/types.js';
import { referenceWindow } from './diagnosticsReference.js';

const SPAN = 60_000;

/** One step of an upload: a record some buckets on or back, or a flush. */
type Step =
  | { kind: 'forward'; buckets: number; withinMs: number }
  | { kind: 'back'; buckets: number; withinMs: number }
  | { kind: 'burst'; records: number; buckets: number }
  | { kind: 'flush' }
  | { kind: 'copy' };

/** Gaps around the window's edges, where the bulk steps take over. */
function stepsFor(latencyBuckets: number): fc.Arbitrary<Step[]> {
  const size = Math.max(10, latencyBuckets);
  const gap = fc.oneof(
    fc.constant(0), fc.integer({ min: 1, max: 3 }),
    fc.integer({ min: size - 2, max: size + 2 }),
    fc.integer({ min: 2 * size - 2, max: 2 * size + 2 }),
    fc.integer({ min: 3 * size, max: 6 * size }));
  const within = fc.integer({ min: 0, max: SPAN - 1 });
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 8, arbitrary: fc.record({
      kind: fc.constant('forward' as const), buckets: gap, withinMs: within }) },
    // Back by as much as the out-of-order rule lets through, its edge too.
    { weight: 2, arbitrary: fc.record({
      kind: fc.constant('back' as const),
      buckets: fc.integer({ min: 0, max: latencyBuckets }), withinMs: within }) },
    // A run of records a bucket or two apart fills whole blocks of slots.
    { weight: 1, arbitrary: fc.record({
      kind: fc.constant('burst' as const),
      records: fc.integer({ min: 1, max: 2 * size }),
      buckets: fc.integer({ min: 0, max: 2 }) }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'flush' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'copy' as const }) });
  return fc.array(step, { maxLength: 120 });
}

function counters(state: DiagnosticsState) {
  return {
    bucketCount: state.bucketCount, emptyCount: state.emptyBucketCount,
    sparseCount: state.sparseBucketCount, latestEmpty: state.latestEmpty,
    latestSparse: state.latestSparse,
  };
}

describe('the diagnostics window against spec §7 taken one bucket at a time', () => {
  test('gives the reference counters after every upload, for any gaps', () => {
    fc.assert(fc.property(
      fc.oneof(fc.integer({ min: 0, max: 80 }), fc.integer({ min: 60, max: 400 }))
        .chain((latencyBuckets) => fc.tuple(
          fc.constant(latencyBuckets), stepsFor(latencyBuckets))),
      ([latencyBuckets, steps]) => {
        const latencyMs = latencyBuckets * SPAN;
        const reference = referenceWindow(SPAN, latencyMs);
        let state = createDiagnostics(SPAN, latencyMs);
        let latestMs = 1_400_000_000_000;
        const add = (timeMs: number) => {
          reference.add(timeMs);
          addRecord(state, SPAN, timeMs);
        };
        add(latestMs);
        for (const step of steps) {
          if (step.kind === 'flush') {
            reference.flush();
            flushAll(state, SPAN);
            expect(counters(state)).toEqual(reference.counters);
          } else if (step.kind === 'copy') {
            // Each upload works on a copy of the stored window.
            state = copyDiagnostics(state);
          } else if (step.kind === 'burst') {
            for (let i = 0; i < step.records; i += 1) {
              latestMs += step.buckets * SPAN;
              add(latestMs);
            }
          } else if (step.kind === 'forward') {
            latestMs += step.buckets * SPAN + step.withinMs;
            add(latestMs);
          } else {
            // What the out-of-order rule accepts: at least latest − latency.
            add(Math.max(latestMs - latencyMs,
              latestMs - step.buckets * SPAN - step.withinMs));
          }
        }
        reference.flush();
        flushAll(state, SPAN);
        expect(counters(state)).toEqual(reference.counters);
      }), { numRuns: 400 });
  });
});

describe('records two whole windows apart in the widest window', () => {
  test('count every bucket between them as empty', () => {
    // Window 10,000 buckets of 1 s; each record 20,001 s after the last
    // crossed two windows one bucket at a time: 20,000 steps a record.
    const spanMs = 1000;
    const latencyMs = 10_000_000;
    expect(windowSize(spanMs, latencyMs)).toBe(10_000);
    const state = createDiagnostics(spanMs, latencyMs);
    const records = 20_000;
    for (let i = 0; i < records; i += 1) {
      addRecord(state, spanMs, 1_400_000_000_000 + i * 20_001_000);
    }
    flushAll(state, spanMs);
    // Hand count: buckets from the first record's up to the last's,
    // 19,999 gaps of 20,001 buckets; of those only the 19,999 buckets
    // that held a record are not empty.
    expect(state.bucketCount).toBe(19_999 * 20_001);
    expect(state.emptyBucketCount).toBe(19_999 * 20_000);
  });
});
