/**
 * Shared settings of the property tests: the fast-check parameters (a replayable seed) and a
 * counter of generated cases, printed once per file so `npm test` shows how many ran
 * (docs/hardening.md quotes these figures).
 */
import type fc from 'fast-check';

const seedFromEnv = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
// FC_RUNS_SCALE=<k> multiplies every property's case count, for a long local sweep (a rare case
// found by CI's random seed is cheaper to find here first). `npm test` runs the plain counts.
const scaleFromEnv = Number(process.env.FC_RUNS_SCALE ?? '1');
const scale = Number.isFinite(scaleFromEnv) && scaleFromEnv > 0 ? scaleFromEnv : 1;

/** `numRuns` cases (times FC_RUNS_SCALE); with FC_SEED set, that seed (to replay a failure fast-check reported). */
export function fcParams(numRuns: number): fc.Parameters<unknown> {
  const runs = Math.max(1, Math.round(numRuns * scale));
  return seedFromEnv === undefined || Number.isNaN(seedFromEnv) ? { numRuns: runs } : { numRuns: runs, seed: seedFromEnv };
}

const counts = new Map<string, number>();

export const recordRuns = {
  count(group: string): void {
    counts.set(group, (counts.get(group) ?? 0) + 1);
  },
  get(group: string): number {
    return counts.get(group) ?? 0;
  },
  report(group: string): void {
    console.log(`[property] ${group}: ${counts.get(group) ?? 0} generated cases checked`);
  },
};
