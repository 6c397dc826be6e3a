/**
 * Summarises a V8 .heapsnapshot: self size and count per (node type, constructor/name), the
 * largest first. Strings are grouped as one row per string kind. Evidence for the memory figure;
 * run by hand:  node bench/lib/heap-summary.mjs FILE.heapsnapshot [top=25]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** @param {any} snap @param {number} [top] */
export function summarizeHeap(snap, top = 25) {
  const meta = snap.snapshot.meta;
  const fields = meta.node_fields;
  const types = meta.node_types[0];
  const F = fields.length;
  const iType = fields.indexOf('type');
  const iName = fields.indexOf('name');
  const iSize = fields.indexOf('self_size');
  const nodes = snap.nodes;
  const strings = snap.strings;
  /** @type {Map<string, {bytes: number, count: number}>} */
  const by = new Map();
  let total = 0;
  for (let i = 0; i < nodes.length; i += F) {
    const type = types[nodes[i + iType]];
    const size = nodes[i + iSize];
    total += size;
    const name = type === 'object' || type === 'closure' || type === 'native' ? `${type} ${strings[nodes[i + iName]]}` : type;
    const row = by.get(name) ?? { bytes: 0, count: 0 };
    row.bytes += size;
    row.count++;
    by.set(name, row);
  }
  const rows = [...by.entries()].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top).map(([name, r]) => ({ name, ...r, share: r.bytes / total }));
  return { totalBytes: total, rows };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const s = summarizeHeap(JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')), Number(process.argv[3] ?? 25));
  console.log(`${(s.totalBytes / 1e6).toFixed(2)} MB in the snapshot`);
  for (const r of s.rows) console.log(`${(r.share * 100).toFixed(1).padStart(5)} %  ${(r.bytes / 1e6).toFixed(2).padStart(7)} MB  ${String(r.count).padStart(8)}  ${r.name}`);
}
