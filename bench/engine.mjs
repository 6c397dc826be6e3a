/**
 * Benchmark 2 — engine. The CLI over a synthetic 50,000-entry HAR (bench/synthetic-har.mjs)
 * against the floor of any HAR tool, a process that only reads and JSON.parses the same file.
 * Both run as fresh `node` processes, alternated (A B, B A, …); per run: wall time and the
 * process's own CPU time (lib/cpu-report.mjs, preloaded). Then, in-process: the engine alone
 * (parseHar → ObservedRequest[], analyzeCapture → verdicts), as judgements per second.
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OUT, ROOT, buildCli, buildCliCommit, buildCore, exists } from './lib/build.mjs';
import { median, summary } from './lib/stats.mjs';
import { generateHar } from './synthetic-har.mjs';

export const HAR_ENTRIES = 50_000;
const SEED = 1;
const RUN_TIMEOUT_MS = 180_000;

/** The synthetic HAR on disk, regenerated when the generator changed. */
export function syntheticHarPath(entries = HAR_ENTRIES, seed = SEED) {
  const file = resolve(OUT, `synthetic-${entries}-${seed}.har`);
  const gen = resolve(ROOT, 'bench/synthetic-har.mjs');
  if (!exists(file) || statSync(file).mtimeMs < statSync(gen).mtimeMs) {
    mkdirSync(OUT, { recursive: true });
    writeFileSync(file, JSON.stringify(generateHar(entries, seed)));
  }
  return file;
}

/** @param {string[]} args @returns {Promise<{wallMs: number, cpuMs: number, rssBytes: number, code: number|null}>} */
function timeNode(args) {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', pathToFileURL(resolve(ROOT, 'bench/lib/cpu-report.mjs')).href, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const wallMs = performance.now() - t0;
      const m = /__BENCH_CPU__ (\{.*\})/.exec(err);
      if (!m) return reject(new Error(`node ${args.join(' ')} exited ${code} without a CPU report: ${err.slice(0, 300)}`));
      const { cpuMs, rssBytes } = JSON.parse(m[1]);
      resolvePromise({ wallMs, cpuMs, rssBytes, code });
    });
  });
}

/**
 * `opts.baseline`: a commit whose CLI runs in the same rounds (A B C, rotated), so the new CLI /
 * old CLI ratio is paired per round like the floor's.
 * @param {{rounds: number, log: (s: string) => void, baseline?: string}} opts
 */
export async function runEngine(opts) {
  const har = syntheticHarPath();
  const cli = await buildCli();
  const old = opts.baseline ? await buildCliCommit(opts.baseline) : null;
  if (old) opts.log(`  old = the CLI of ${old.sha} (${old.file})`);
  const core = await buildCore();
  const floor = resolve(ROOT, 'bench/lib/json-floor.mjs');
  const sizeBytes = statSync(har).size;
  opts.log(`  synthetic HAR: ${HAR_ENTRIES} entries, ${(sizeBytes / 1e6).toFixed(1)} MB`);

  /** @type {{cli: any[], floor: any[], old: any[]}} */
  const runs = { cli: [], floor: [], old: [] };
  const ratiosWall = [];
  const ratiosCpu = [];
  const ratiosOldCpu = [];
  const ratiosNewOverOldCpu = [];
  const kinds = old ? ['cli', 'floor', 'old'] : ['cli', 'floor'];
  for (let round = 0; round < opts.rounds; round++) {
    // Rotated (A B C, B C A, …; with two: A B, B A) so no variant always runs first.
    const order = old ? kinds.map((_, i) => kinds[(i + round) % kinds.length]) : round % 2 === 0 ? ['cli', 'floor'] : ['floor', 'cli'];
    /** @type {Record<string, any>} */
    const got = {};
    for (const which of order) {
      const r = which === 'floor' ? await timeNode([floor, har]) : await timeNode([which === 'old' ? old.file : cli, 'analyze', har]);
      if (which !== 'floor' && r.code !== 0 && r.code !== 1) throw new Error(`the ${which === 'old' ? 'old ' : ''}CLI exited ${r.code} on the synthetic HAR`);
      got[which] = r;
      runs[/** @type {'cli'|'floor'|'old'} */ (which)].push(r);
      opts.log(`  engine round ${round} ${which.padEnd(5)} wall ${r.wallMs.toFixed(0).padStart(6)} ms  cpu ${r.cpuMs.toFixed(0).padStart(6)} ms  rss ${(r.rssBytes / 1e6).toFixed(0)} MB`);
    }
    ratiosWall.push(got.cli.wallMs / got.floor.wallMs);
    ratiosCpu.push(got.cli.cpuMs / got.floor.cpuMs);
    if (old) {
      ratiosOldCpu.push(got.old.cpuMs / got.floor.cpuMs);
      ratiosNewOverOldCpu.push(got.cli.cpuMs / got.old.cpuMs);
    }
  }

  // In-process: the engine alone, on the already-read text.
  const mod = await import(`${pathToFileURL(core).href}?t=${Date.now()}`);
  const text = readFileSync(har, 'utf8');
  const parseMs = [];
  const readMs = [];
  const analyzeMs = [];
  let judged = 0;
  let requests = 0;
  for (let i = 0; i < opts.rounds; i++) {
    let t = performance.now();
    JSON.parse(text);
    parseMs.push(performance.now() - t);
    t = performance.now();
    const read = mod.parseHar(text);
    readMs.push(performance.now() - t);
    requests = read.requests.length;
    t = performance.now();
    const entries = mod.analyzeCapture(read.requests, { browser: 'chromium' });
    analyzeMs.push(performance.now() - t);
    judged = entries.length;
  }
  const perSecond = judged / (median(analyzeMs) / 1000);
  opts.log(`  in-process: JSON.parse ${median(parseMs).toFixed(0)} ms, parseHar ${median(readMs).toFixed(0)} ms (incl. its JSON.parse), analyzeCapture ${median(analyzeMs).toFixed(0)} ms for ${judged} entries`);
  return {
    har: { entries: HAR_ENTRIES, seed: SEED, bytes: sizeBytes, requests },
    cliOverJsonParse: { wall: summary(ratiosWall), cpu: summary(ratiosCpu) },
    ...(old ? { baseline: { commit: old.sha, oldOverJsonParseCpu: summary(ratiosOldCpu), newOverOldCpu: summary(ratiosNewOverOldCpu) } } : {}),
    runs,
    inProcess: {
      jsonParseMs: summary(parseMs),
      parseHarMs: summary(readMs),
      analyzeMs: summary(analyzeMs),
      judgements: judged,
      judgementsPerSecond: perSecond,
    },
  };
}
