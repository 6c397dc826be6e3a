/** The capture benchmark's bookkeeping: rounds split by whether a variant's batch began with a wake. */
import { describe, expect, it } from 'vitest';
import { IDLE_STOP_MS, pairedRatios, wakeRounds } from './capture.mjs';

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
