/** The capture benchmark's bookkeeping: rounds split by whether a variant's batch began with a wake, the service-worker thread's share. */
import { describe, expect, it } from 'vitest';
import { IDLE_STOP_MS, pairedRatios, wakeRounds, workerThread } from './capture.mjs';
import { threadDelta } from './lib/proc.mjs';

const batch = (variant: string, round: number, cpuMs: number, idleBeforeMs: number | null) => ({
  variant,
  round,
  wallMs: 1000,
  cpuMs,
  netCpuMs: 100,
  ok: 1,
  failed: 0,
  idleBeforeMs,
  byKind: {},
});

describe('wakeRounds / pairedRatios by round', () => {
  it('splits the rounds at the idle-stop time and pairs only the rounds asked for', () => {
    const batches = [
      batch('lens', 1, 1200, 0),
      batch('floor', 1, 1000, 20_000),
      batch('lens', 2, 1500, IDLE_STOP_MS + 1),
      batch('floor', 2, 1000, 20_000),
      batch('lens', 3, 1100, IDLE_STOP_MS), // exactly the stop time: not counted as a wake
      batch('floor', 3, 1000, 20_000),
    ];
    const w = wakeRounds(batches, 'lens');
    expect([...w.woke]).toEqual([2]);
    expect([...w.stayed].sort()).toEqual([1, 3]);
    expect(pairedRatios(batches, 'lens', 'floor', (r) => w.woke.has(r)).cpuPerNet).toMatchObject({ median: 1.5, n: 1 });
    expect(pairedRatios(batches, 'lens', 'floor', (r) => w.stayed.has(r)).cpuPerNet).toMatchObject({ median: 1.15, n: 2 });
    expect(pairedRatios(batches, 'lens', 'floor').cpuPerNet.n).toBe(3);
  });

  it('a batch without a previous one (idleBeforeMs null) is not a wake', () => {
    expect([...wakeRounds([batch('lens', 1, 1, null)], 'lens').woke]).toEqual([]);
  });
});

describe('the service-worker thread', () => {
  it('a batch sums each thread after − before, and a thread new in the batch counts from zero', () => {
    expect(threadDelta({ '1/10': 500, '1/11': 40 }, { '1/10': 900, '1/11': 40, '2/20': 70 })).toBe(470);
    expect(threadDelta({}, {})).toBe(0);
  });

  it('pairs rounds by worker-thread CPU ÷ network CPU, and states the excess in shares of the floor', () => {
    const w = (variant: string, round: number, workerMs: number | undefined) => ({ ...batch(variant, round, 1000, 0), workerMs });
    // lens: worker 300 ms per 100 ms of network; the floor 200 per 100, total 1000 per 100.
    const r = workerThread([w('lens', 1, 300), w('floor', 1, 200), w('lens', 2, 240), w('floor', 2, 200), w('lens', 3, 0), w('floor', 3, 200)], 'lens', 'floor');
    // Round 3 has no worker figure for lens (0: no such thread, as in Firefox): left out.
    expect(r.ratio).toMatchObject({ n: 2, min: 1.2, max: 1.5 });
    expect(r.excess.median).toBeCloseTo(0.07, 10);
  });
});
