/**
 * Benchmark 1 — capture overhead. One browser per variant, all launched at the start and kept
 * open; each round runs one job (2,000 cross-origin calls in waves, see lib/server.mjs) in every
 * variant, alternating the order (A B C D, then D C B A) so drift on the shared machine hits all
 * variants alike. Per job: the page's own wall time (performance.now around the calls) and the
 * CPU time of the browser's whole process tree from /proc, sampled just before the job is
 * handed to the page and just after the page reports it done; in Chromium that CPU is divided by
 * the network service's CPU for the same job (it does the same network work in every variant,
 * so the quotient cancels out how much CPU the machine happened to give the browser).
 *
 * Chromium is started without any automation (no DevTools protocol, no Network domain): the
 * page drives itself by long-polling the bench server. Firefox is started by puppeteer over
 * WebDriver BiDi with the network module off (networkEnabled: false), only to install the add-on
 * as a temporary one and open the page; then puppeteer disconnects.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findBrowsers } from '../scripts/browsers.mjs';
import { CHROMIUM_FLAGS, FIREFOX_PREFS } from '../test/harness/launch.mjs';
import { isChromiumNetworkService, isFirefoxSocketProcess, sampleCpu, threadDelta } from './lib/proc.mjs';
import { startBenchServer } from './lib/server.mjs';
import { summary } from './lib/stats.mjs';

export const CALLS = 2000;
export const WAVE = 200;
export const FAIL_EVERY = 10;
/**
 * Chromium stops an idle extension service worker after 30 s without events, Firefox suspends an
 * idle background page after 30 s (`extensions.background.idle.timeout`). The variants alternate,
 * so a variant waits up to ≈ 50 s between two of its batches in every other round: those batches
 * start with a wake (bench/wakes.mjs measures what one costs CORS Lens).
 */
export const IDLE_STOP_MS = 30_000;
const JOB_TIMEOUT_MS = 90_000;
const LOAD_TIMEOUT_MS = 60_000;

/** Processes we started, killed on exit whatever happens. */
const started = new Set();
function killAll() {
  for (const pid of started) {
    try {
      process.kill(-pid, 'SIGKILL'); // our own process group (spawned detached)
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  started.clear();
}
process.on('exit', killAll);

/**
 * Chromium without automation, on `url`, with `ext` loaded (none: `null`); killed on exit.
 * `extraArgs` go on the command line (bench/wakes.mjs: `--remote-debugging-port=0`, to connect
 * once at the end through `userDataDir`/DevToolsActivePort).
 * @param {string} exe @param {string|null} ext @param {string} url @param {string[]} [extraArgs]
 * @returns {{pid: number, userDataDir: string, close: () => Promise<void>}}
 */
export function spawnChromium(exe, ext, url, extraArgs = []) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'cors-lens-bench-'));
  const extArgs = ext ? [`--disable-extensions-except=${ext}`, `--load-extension=${ext}`] : ['--disable-extensions'];
  // Measured with Chromium 156: a start URL given on the command line together with
  // --load-extension is never loaded (the tab stays on it, no request reaches the server);
  // starting on a data: page that navigates by script works (the request arrives ~9 s later,
  // once the extension system is up).
  const boot = 'data:text/html,' + encodeURIComponent(`<script>location.href=${JSON.stringify(url)}</script>`);
  const child = spawn(exe, [...CHROMIUM_FLAGS, '--headless', `--user-data-dir=${userDataDir}`, '--window-size=1280,800', ...extArgs, ...extraArgs, boot], {
    stdio: 'ignore',
    detached: true,
  });
  const pid = /** @type {number} */ (child.pid);
  started.add(pid);
  return {
    pid,
    userDataDir,
    async close() {
      const exited = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        // gone
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
      started.delete(pid);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * @param {string} exe @param {string|null} ext @param {string} url
 * @returns {Promise<{pid: number, close: () => Promise<void>}>}
 */
async function spawnFirefox(exe, ext, url) {
  const puppeteer = (await import('puppeteer-core')).default;
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: exe,
    headless: true,
    networkEnabled: false,
    protocolTimeout: 60_000,
    timeout: 60_000,
    extraPrefsFirefox: { ...FIREFOX_PREFS },
  });
  const proc = browser.process();
  const pid = /** @type {number} */ (proc?.pid);
  started.add(pid);
  if (ext) await browser.installExtension(resolve(ext));
  const [page] = await browser.pages();
  await (page ?? (await browser.newPage())).goto(url, { waitUntil: 'domcontentloaded' });
  // From here on the page drives itself: drop the automation session entirely.
  await browser.disconnect();
  return {
    pid,
    async close() {
      const exited = proc ? new Promise((r) => proc.once('exit', r)) : Promise.resolve();
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // gone
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 8000))]);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
      started.delete(pid);
    },
  };
}

/**
 * @typedef {{name: string, ext: string|null}} Variant
 * @typedef {{variant: string, round: number, wallMs: number, cpuMs: number, netCpuMs: number|null, ok: number, failed: number, idleBeforeMs?: number|null, byKind: Record<string, number>, workerMs?: number}} Batch
 */

/**
 * Runs one browser's variants for `rounds` measured rounds (plus one warm-up round).
 * @param {'chromium'|'firefox'} browserName
 * @param {Variant[]} variants
 * @param {{rounds: number, minRounds?: number, budgetMs?: number, warmupCalls?: number, log: (s: string) => void, calls?: number, fresh?: boolean}} opts
 *   rounds: at most this many measured rounds; after `minRounds`, no new round starts once the
 *   measured rounds have used `budgetMs` (the loop is bounded in count and in time)
 *   fresh: new browsers for every round (each warmed up by its own `warmupCalls` batch first),
 *   instead of one browser per variant kept open for the run. Why: a browser instance keeps a
 *   bias of its own for the whole run, in every process kind and most in its network service
 *   (measured 2026-12-02: two instances of the same build, 8 rounds, differed by 7 % in CPU ÷
 *   network CPU and by 23 % in network CPU), which more rounds do not average out; with fresh
 *   browsers it is drawn anew each round. No batch then begins with a wake.
 */
export async function runCaptureFor(browserName, variants, opts) {
  const exe = findBrowsers()[browserName];
  if (!exe) throw new Error(`${browserName} not found (node scripts/browsers.mjs --ensure)`);
  const calls = opts.calls ?? CALLS;
  const server = await startBenchServer();
  /** @type {Map<string, {pid: number, close: () => Promise<void>}>} */
  const browsers = new Map();
  const isNet = browserName === 'chromium' ? isChromiumNetworkService : isFirefoxSocketProcess;
  /** @type {Batch[]} */
  const batches = [];
  const t0 = performance.now();
  /** The bench server's name for a variant's page: one per browser instance (fresh: per round). */
  let pageKey = (/** @type {Variant} */ v) => v.name;
  const launch = async () => {
    for (const v of variants) {
      const url = server.pageUrl(pageKey(v));
      const b = browserName === 'chromium' ? spawnChromium(exe, v.ext, url) : await spawnFirefox(exe, v.ext, url);
      browsers.set(v.name, b);
      await server.waitReady(pageKey(v), LOAD_TIMEOUT_MS);
    }
  };
  const closeAll = async () => {
    for (const v of variants) server.stop(pageKey(v));
    await Promise.all([...browsers.values()].map((b) => b.close()));
    browsers.clear();
  };
  try {
    await launch();
    opts.log(`  ${browserName}: ${variants.length} browsers up in ${Math.round(performance.now() - t0)} ms`);
    let measuredFrom = 0;
    /** When each variant's last batch ended: the idle gap before its next one (see IDLE_STOP_MS). */
    const lastEnd = new Map();
    for (let round = 0; round <= opts.rounds; round++) {
      if (round === 1) measuredFrom = performance.now();
      if (round > (opts.minRounds ?? opts.rounds) && opts.budgetMs !== undefined && performance.now() - measuredFrom > opts.budgetMs) {
        opts.log(`  ${browserName}: time budget used after ${round - 1} measured rounds`);
        break;
      }
      const order = round % 2 === 0 ? variants : [...variants].reverse();
      if (opts.fresh && round > 1) {
        // New browsers for this round, each warmed up (worker start, JIT, connections) by a
        // batch of its own that is not counted.
        await closeAll();
        const r = round;
        pageKey = (v) => `${v.name}~${r}`;
        await launch();
        for (const v of order) await server.runJob(pageKey(v), { tag: `${v.name}-${round}-warm`, calls: opts.warmupCalls ?? calls, wave: WAVE, failEvery: FAIL_EVERY }, JOB_TIMEOUT_MS);
        lastEnd.clear();
      }
      for (const v of order) {
        const b = /** @type {{pid: number}} */ (browsers.get(v.name));
        let before = { total: 0, network: /** @type {number|null} */ (null), byKind: /** @type {Record<string, number>} */ ({}), threads: /** @type {Record<string, number>} */ ({}) };
        let startedAt = 0;
        const job = { tag: `${v.name}-${round}`, calls: round === 0 ? (opts.warmupCalls ?? calls) : calls, wave: WAVE, failEvery: FAIL_EVERY };
        const r = await server.runJob(pageKey(v), job, JOB_TIMEOUT_MS, () => {
          before = sampleCpu(b.pid, isNet);
          startedAt = performance.now();
        });
        const after = sampleCpu(b.pid, isNet);
        const idleBeforeMs = lastEnd.has(v.name) ? startedAt - lastEnd.get(v.name) : null;
        lastEnd.set(v.name, performance.now());
        const batch = {
          variant: v.name,
          round,
          wallMs: r.wallMs,
          cpuMs: after.total - before.total,
          netCpuMs: after.network !== null && before.network !== null ? after.network - before.network : null,
          ok: r.ok,
          failed: r.failed,
          // How long the variant's browser had been without a batch: past IDLE_STOP_MS its
          // extension's worker was stopped, and this batch began with a wake.
          idleBeforeMs,
          // Per process kind (lib/proc.mjs chromiumKind): where the extra CPU of a variant goes.
          byKind: Object.fromEntries(Object.entries(after.byKind).map(([k, v]) => [k, v - (before.byKind[k] ?? 0)])),
          // The extension's service-worker thread alone (Chromium; 0 in Firefox): lib/proc.mjs.
          workerMs: threadDelta(before.threads, after.threads),
        };
        // Round 0 warms up every variant (worker start, JIT, connection pool) and is not counted.
        if (round > 0) batches.push(batch);
        opts.log(
          `  ${browserName} round ${round}${round === 0 ? ' (warm-up)' : ''} ${v.name.padEnd(8)} wall ${batch.wallMs.toFixed(0).padStart(5)} ms  cpu ${String(batch.cpuMs).padStart(5)} ms  net ${String(batch.netCpuMs ?? '-').padStart(5)} ms  ok ${batch.ok} failed ${batch.failed}`,
        );
      }
    }
  } finally {
    await closeAll();
    await server.close();
  }
  const expectedFailed = expectedFailures(calls);
  const wrong = batches.filter((b) => b.failed !== expectedFailed || b.ok !== calls - expectedFailed);
  return { batches, calls, expectedFailed, wrongOutcomes: wrong.length, seconds: (performance.now() - t0) / 1000 };
}

/** How many calls of a job must fail (every FAIL_EVERY-th of each kind). @param {number} calls */
export function expectedFailures(calls) {
  let n = 0;
  for (let i = 0; i < calls; i++) if (i % (2 * FAIL_EVERY) < 2) n++;
  return n;
}

/**
 * Ratios of two variants, paired per round (both measured back to back in the same round);
 * `keepRound` picks rounds (e.g. those where `a` began with a wake: `wakeRounds`).
 * @param {Batch[]} batches @param {string} a @param {string} b @param {(round: number) => boolean} [keepRound]
 */
export function pairedRatios(batches, a, b, keepRound = (/** @type {number} */ _r) => true) {
  const rounds = [...new Set(batches.map((x) => x.round))].filter(keepRound);
  const wall = [];
  const cpu = [];
  const cpuNet = [];
  for (const r of rounds) {
    const x = batches.find((q) => q.variant === a && q.round === r);
    const y = batches.find((q) => q.variant === b && q.round === r);
    if (!x || !y) continue;
    wall.push(x.wallMs / y.wallMs);
    cpu.push(x.cpuMs / y.cpuMs);
    if (x.netCpuMs && y.netCpuMs) cpuNet.push(x.cpuMs / x.netCpuMs / (y.cpuMs / y.netCpuMs));
  }
  return { wall: summary(wall), cpu: summary(cpu), cpuPerNet: summary(cpuNet) };
}

/**
 * Per process kind, paired per round: `excess` = (variant's CPU of that kind ÷ its network CPU
 * − the floor's likewise) ÷ (the floor's total CPU ÷ its network CPU), so the kinds' excesses
 * add up exactly to the variant's CPU ÷ network-CPU ratio to the floor minus 1; `perNet` = the
 * variant's CPU of that kind ÷ its network CPU.
 * @param {Batch[]} batches @param {string} a @param {string} floor
 */
export function kindExcess(batches, a, floor) {
  /** @type {Record<string, number[]>} */
  const per = {};
  /** @type {Record<string, number[]>} */
  const share = {};
  for (const r of new Set(batches.map((x) => x.round))) {
    const x = batches.find((q) => q.variant === a && q.round === r);
    const y = batches.find((q) => q.variant === floor && q.round === r);
    if (!x || !y || !x.netCpuMs || !y.netCpuMs) continue;
    for (const k of Object.keys(x.byKind)) {
      // Both normalised by their own batch's network CPU, as in pairedRatios' cpuPerNet.
      (per[k] ??= []).push(((x.byKind[k] ?? 0) / x.netCpuMs - (y.byKind[k] ?? 0) / y.netCpuMs) / (y.cpuMs / y.netCpuMs));
      (share[k] ??= []).push((x.byKind[k] ?? 0) / x.netCpuMs);
    }
  }
  return {
    excess: Object.fromEntries(Object.entries(per).map(([k, v]) => [k, summary(v)])),
    perNet: Object.fromEntries(Object.entries(share).map(([k, v]) => [k, summary(v)])),
  };
}

/**
 * The service-worker thread, paired per round: `ratio` = the variant's worker-thread CPU ÷ its
 * network CPU over the other's likewise; `excess` = the difference of the two as a share of the
 * other's total CPU ÷ network CPU (the same unit as `kindExcess`, so comparable with the
 * extension-process column). Chromium only (Firefox batches have no such thread).
 * @param {Batch[]} batches @param {string} a @param {string} b
 */
export function workerThread(batches, a, b) {
  const ratio = [];
  const excess = [];
  for (const r of new Set(batches.map((x) => x.round))) {
    const x = batches.find((q) => q.variant === a && q.round === r);
    const y = batches.find((q) => q.variant === b && q.round === r);
    if (!x || !y || !x.netCpuMs || !y.netCpuMs || !x.workerMs || !y.workerMs) continue;
    ratio.push(x.workerMs / x.netCpuMs / (y.workerMs / y.netCpuMs));
    excess.push((x.workerMs / x.netCpuMs - y.workerMs / y.netCpuMs) / (y.cpuMs / y.netCpuMs));
  }
  return { ratio: summary(ratio), excess: summary(excess) };
}

/**
 * The rounds in which `variant`'s batch began after an idle gap longer than IDLE_STOP_MS (its
 * worker had been stopped), and the others.
 * @param {Batch[]} batches @param {string} variant
 */
export function wakeRounds(batches, variant) {
  const woke = new Set();
  const stayed = new Set();
  for (const b of batches) if (b.variant === variant) ((b.idleBeforeMs ?? 0) > IDLE_STOP_MS ? woke : stayed).add(b.round);
  return { woke, stayed };
}
