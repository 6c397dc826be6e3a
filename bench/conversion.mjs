#!/usr/bin/env node
/**
 * What converting one capture batch's webRequest events costs at the boundary (src/platform:
 * `fromChromium` and `chromiumContext`, or with --firefox `fromFirefox` and `firefoxContext`, the work every listener does before the service sees an
 * event), in Node with the worker's compiler tier (`--max-opt=2`, Maglev at most: docs/bench.md
 * "Session 5").
 *
 * The events are rebuilt from the requests of one real batch, bench/out/batch-requests.json,
 * which `node bench/judging.mjs` captures (run that first): per request the raw details
 * of before-request, send-headers with its request headers, and headers-received plus completed
 * with its response headers (or error). Each timed pass converts a fresh `JSON.parse` of them,
 * so every string is new, as a browser's deserialised details are.
 *
 *   node bench/conversion.mjs [--firefox] [--baseline <commit>] [--runs 30] [--rounds 3]
 *
 * --firefox: the details as Firefox gives them (no `initiator`; the page's URL in `originUrl`
 * and `documentUrl`).
 *
 * With --baseline, that commit's src/platform is bundled too and the two run alternated, each in
 * its own child process. Prints the best and the median pass. A timing for docs/bench.md, not a
 * test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { OUT, ROOT, bundleModule, extractCommit } from './lib/build.mjs';

const args = process.argv.slice(2);
const num = (/** @type {string} */ name, /** @type {number} */ dflt, /** @type {number} */ max) => {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : dflt;
  if (!Number.isInteger(v) || v < 1 || v > max) throw new Error(`${name} needs a whole number from 1 to ${max} (got ${args[i + 1]})`);
  return v;
};
const runs = num('--runs', 30, 500);
const browser = args.includes('--firefox') ? 'firefox' : 'chromium';
const rounds = num('--rounds', 3, 20);
const bi = args.indexOf('--baseline');
const baseline = bi >= 0 ? args[bi + 1] : undefined;
if (bi >= 0 && !baseline) throw new Error('--baseline needs a commit');
const data = resolve(OUT, 'batch-requests.json');
if (!existsSync(data)) {
  console.error(`${data} is missing: run \`node bench/judging.mjs\` once to capture a real batch.`);
  process.exit(2);
}

const runnerSource = `
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fromChromium, chromiumContext, fromFirefox, firefoxContext } from './src/platform/webrequest.ts';
const [file, n, browser] = process.argv.slice(2);
const ff = browser === 'firefox';
const convert = ff ? fromFirefox : fromChromium;
const context = ff ? firefoxContext : chromiumContext;
const reqs = JSON.parse(readFileSync(file, 'utf8'));
const raws = [];
for (const r of reqs) {
  const h = r.hops[0];
  const page = r.initiator + '/bench.html?v=judging';
  const b = ff
    ? { requestId: r.id, url: h.url, method: h.method, type: r.resourceType, tabId: r.tabId, timeStamp: h.startedMs, originUrl: page, documentUrl: page }
    : { requestId: r.id, url: h.url, method: h.method, type: r.resourceType, tabId: r.tabId, timeStamp: h.startedMs, initiator: r.initiator };
  raws.push(['before-request', b]);
  raws.push(['send-headers', { ...b, requestHeaders: h.requestHeaders }]);
  if (h.responseHeaders) {
    const line = 'HTTP/1.1 ' + h.status + ' ' + h.statusText;
    raws.push(['headers-received', { ...b, statusCode: h.status, statusLine: line, responseHeaders: h.responseHeaders }]);
    raws.push(['completed', { ...b, statusCode: h.status, statusLine: line, responseHeaders: h.responseHeaders, fromCache: false }]);
  } else raws.push(['error', { ...b, error: 'net::ERR_FAILED' }]);
}
const text = JSON.stringify(raws);
const times = [];
let sink = 0;
for (let i = 0; i < Number(n); i++) {
  const evs = JSON.parse(text);
  const t = performance.now();
  for (const [kind, d] of evs) {
    const e = convert(kind, d);
    const c = kind === 'send-headers' || kind === 'completed' || kind === 'error' ? context(d) : undefined;
    sink += e.requestId.length + (c === undefined ? 0 : 1);
  }
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
// What one untimed pass converted, key order included: both variants must give the same.
const all = JSON.parse(text).map(([kind, d]) => [convert(kind, d), kind === 'send-headers' || kind === 'completed' || kind === 'error' ? context(d) : null]);
const check = createHash('sha256').update(JSON.stringify(all)).digest('hex') + ':' + (sink > 0);
process.stdout.write(JSON.stringify({ events: raws.length, best: times[0], median: times[times.length >> 1], check }));
`;

/** @type {{name: string, file: string}[]} */
const variants = [{ name: 'this', file: await bundleModule(runnerSource, ROOT, resolve(OUT, 'conversion-runner.mjs')) }];
if (baseline) {
  const { sha, src } = await extractCommit(baseline);
  variants.push({ name: sha, file: await bundleModule(runnerSource, src, resolve(OUT, `conversion-runner-${sha}.mjs`)) });
}

/** @type {Record<string, {best: number, median: number}[]>} */
const got = Object.fromEntries(variants.map((v) => [v.name, []]));
/** @type {Set<string>} */
const checks = new Set();
for (let round = 0; round < rounds; round++) {
  for (const v of round % 2 === 0 ? variants : [...variants].reverse()) {
    const p = spawnSync(process.execPath, ['--max-opt=2', v.file, data, String(runs), browser], { encoding: 'utf8', timeout: 600_000 });
    if (p.status !== 0) throw new Error(`the ${v.name} run failed: ${p.stderr.slice(0, 500)}`);
    const r = JSON.parse(p.stdout);
    got[v.name].push(r);
    checks.add(r.check);
    console.log(`round ${round} ${v.name.padEnd(8)} ${r.events} ${browser} events: best ${r.best.toFixed(1)} ms  median ${r.median.toFixed(1)} ms  (${runs} passes)`);
  }
}
const best = (/** @type {string} */ name) => Math.min(...got[name].map((r) => r.best));
const median = (/** @type {string} */ name) => got[name].map((r) => r.median).sort((a, b) => a - b)[got[name].length >> 1];
for (const v of variants) console.log(`${v.name}: best ${best(v.name).toFixed(1)} ms, median of medians ${median(v.name).toFixed(1)} ms`);
if (baseline) console.log(`this / ${variants[1].name}: best ${(best('this') / best(variants[1].name)).toFixed(3)}, median ${(median('this') / median(variants[1].name)).toFixed(3)}`);
if (checks.size !== 1) {
  console.error('the variants converted the events differently');
  process.exit(1);
}
console.log('every variant converted the events to the same JSON');
