/**
 * Summarises a V8 .cpuprofile (node --cpu-prof, or CDP Profiler.stop): self time per function
 * and inclusive ("total") time per function, as shares of the profile. Used for the evidence in
 * docs/bench.md; run by hand:  node bench/lib/profile-summary.mjs FILE.cpuprofile [top=25]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** @param {any} profile @param {number} [top] */
export function summarizeProfile(profile, top = 25) {
  const nodes = new Map(profile.nodes.map((/** @type {any} */ n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** self samples per node */
  const selfCount = new Map();
  for (const id of profile.samples) selfCount.set(id, (selfCount.get(id) ?? 0) + 1);
  const total = profile.samples.length;
  const key = (/** @type {any} */ n) => {
    const f = n.callFrame;
    const file = (f.url || '').split('/').slice(-2).join('/');
    return `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
  };
  const self = new Map();
  const incl = new Map();
  for (const [id, count] of selfCount) {
    const n = nodes.get(id);
    self.set(key(n), (self.get(key(n)) ?? 0) + count);
    // inclusive: every distinct function on the stack gets the sample once
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const k = key(nodes.get(cur));
      if (seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + count);
    }
  }
  const rows = (/** @type {Map<string, number>} */ m) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, c]) => ({ name, share: c / total }));
  return { samples: total, self: rows(self), inclusive: rows(incl) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const s = summarizeProfile(JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')), Number(process.argv[3] ?? 25));
  console.log(`${s.samples} samples\nSELF`);
  for (const r of s.self) console.log(`${(r.share * 100).toFixed(1).padStart(5)} %  ${r.name}`);
  console.log('INCLUSIVE');
  for (const r of s.inclusive) console.log(`${(r.share * 100).toFixed(1).padStart(5)} %  ${r.name}`);
}
