/**
 * The floor of bug 1 (docs/hardening.md): how many requests does the cheapest possible observer
 * lose under the kill schedule of test/stress/worker-kills.test.ts? If a minimal extension whose
 * listeners do nothing but one `storage.session.set` loses comparably to CORS Lens, the loss is
 * Chromium's; if it loses ~0, the loss is ours.
 *
 * Each run: a fresh Chromium with ONE extension (the floor in test/stress/kill-floor/, or CORS Lens
 * from dist/chrome), a fresh hostile server, the same burst (2,000 cross-origin GETs, 6 in flight)
 * and the same kill loop as worker-kills.test.ts (`ServiceWorker.stopWorker` over CDP every
 * KILL_EVERY ms, at most 40 stops). Runs alternate floor / lens.
 *
 * Counted against the server's own log (every answered path):
 *   - floor: answered paths with no `c:` record (completion/error) in the floor's storage.session,
 *     read from the floor's own extension page once the storage stops changing;
 *   - lens: answered paths missing from the HAR export (as worker-kills.test.ts counts them).
 * Clustering: an extension page (the floor's page, or the lens popup) listens to webRequest itself
 * and stamps each request's send-headers and completion with Date.now() (it is never stopped, so it
 * sees every dispatch); the worker's status transitions (CDP workerVersionUpdated) and the times of
 * the stopWorker calls are stamped with Date.now() in this process. Each lost request's completion
 * is placed relative to them. The two clocks are the same wall clock; the CDP events reach this
 * process a few ms (more under load) after Chromium changed the status.
 *
 * Assertions are about the measurement only (the burst was fully answered, the witness saw every
 * answered request, no record names a path the server never answered, enough stops took effect).
 * The loss is printed, and written to test-results/kill-floor.json; it is not asserted.
 *
 * Knobs (environment): KILL_FLOOR_SCHEDULES (ms between stops, comma list, default "400,2000"),
 * KILL_FLOOR_ROUNDS (floor/lens pairs per schedule, default 1), KILL_FLOOR_VARIANTS (default
 * "floor,lens"; also floor6, floor-module, floor-busy, floor-beacon, floor-probe: see FLOOR_VARIANTS;
 * lens-beacon, lens-probe: see LENS_SHIM, LENS_PROBE). Figures and their reading:
 * test/stress/kill-floor/README.md.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../harness/launch.mjs';
import { killOnce, type Version } from './stop-worker.ts';
import { startHostileServer } from '../harness/hostile-server.mjs';

const root = resolve(import.meta.dirname, '../..');
const FLOOR_DIR = resolve(import.meta.dirname, 'kill-floor');
const BURST = 2000;
const PARALLEL = 6;
const MAX_KILLS = 40;
const SCHEDULES = (process.env.KILL_FLOOR_SCHEDULES ?? '400,2000').split(',').map(Number).filter((n) => n > 0);
const ROUNDS = Math.max(1, Math.min(10, Number(process.env.KILL_FLOOR_ROUNDS ?? 1) || 1));
const VARIANTS = (process.env.KILL_FLOOR_VARIANTS ?? 'floor,lens').split(',').map((s) => s.trim()) as Variant[];

type Variant = 'floor' | 'floor6' | 'floor-module' | 'floor-busy' | 'floor-beacon' | 'floor-probe' | 'lens' | 'lens-beacon' | 'lens-probe';
type Reply = { ok: true; value: { har: string; count: number } } | { ok: false; error: string };
type Har = { log: { entries: { request: { url: string }; _cors: { verdict: string; observed: { outcome: string } } }[] } };
type Seen = Record<string, { s?: number; c?: number }>;

interface RunResult {
  variant: Variant;
  killEveryMs: number;
  round: number;
  answered: number;
  kills: number;
  attempts: number;
  burstMs: number;
  lost: number;
  /** floor: lost requests whose send-headers record exists (half seen); lens: exported `incomplete`. */
  halfSeen: number;
  witnessMissing: number;
  runs: string[];
  /** Worker status (as last reported by CDP) at each lost request's completion, and over all requests. */
  lostByState: Record<string, number>;
  allByState: Record<string, number>;
  /** Lost requests completing between a stopWorker call and the next `running`, and all requests there. */
  lostInKillWindow: number;
  allInKillWindow: number;
  /** Median / max ms from the last stopWorker call before completion, for lost requests. */
  lostSinceStopMedian: number | null;
  lostSinceStopMax: number | null;
  /** Mean ms from stopWorker call to `stopped`, and from `stopped` to the next `running`. */
  meanStopMs: number | null;
  meanRestartMs: number | null;
  /** floor-beacon: lost requests whose completion the worker's listener did post (it ran; the storage write is what was lost). */
  lostButBeaconed: number | null;
  beaconWakes: number | null;
  /** Beacon variants: completion dispatch (page witness) → worker listener run, median/90th/max. */
  beaconLatency: string | null;
  lostBeaconLatency: string | null;
  note: string;
}

const results: RunResult[] = [];

/**
 * Floor variants: rewritten copies of FLOOR_DIR (the constants at the top of its background.js,
 * and the manifest's background type). `floor` is the directory as committed.
 */
const FLOOR_VARIANTS: Record<Exclude<Variant, 'lens' | 'lens-beacon' | 'lens-probe'>, { allSix?: boolean; busyMs?: number; beacon?: boolean; probe?: boolean; module?: boolean }> = {
  floor: {},
  /** CORS Lens's six listeners (three with empty bodies): the worker receives the same events. */
  floor6: { allSix: true },
  /** A module worker, as CORS Lens's (crxjs loader). */
  'floor-module': { module: true },
  /** The worker's thread is blocked 300 ms once at each wake (a stand-in for restore work). */
  'floor-busy': { busyMs: 300 },
  /** Every record is also posted to the page over a BroadcastChannel: did the listener run? */
  'floor-beacon': { beacon: true },
  /** floor-beacon plus the event-loop probe of lens-probe (the control for its gaps). */
  'floor-probe': { beacon: true, probe: true },
};

/**
 * lens-beacon: dist/chrome as built, plus a module imported before the bundle that wraps
 * chrome.webRequest.on{SendHeaders,Completed,ErrorOccurred}.addListener so that each call of
 * CORS Lens's own listener first posts {key, url, wake, at} to the extension page over a
 * BroadcastChannel. The bundle itself is unchanged (src/ is not touched).
 */
const LENS_SHIM = `const bc = new BroadcastChannel('kill-floor');
const wake = \`\${Date.now()}-\${Math.random().toString(36).slice(2, 8)}\`;
bc.postMessage({ key: 'wake', url: '', wake, at: Date.now() });
for (const [name, prefix] of [['onSendHeaders', 's:'], ['onCompleted', 'c:'], ['onErrorOccurred', 'c:']]) {
  const ev = chrome.webRequest[name];
  const add = ev.addListener.bind(ev);
  ev.addListener = (cb, ...rest) => add((d) => {
    bc.postMessage({ key: prefix + d.requestId, url: d.url, wake, at: Date.now() });
    return cb(d);
  }, ...rest);
}
`;

/**
 * lens-probe: lens-beacon plus an event-loop probe (a 10 ms interval that posts every gap over
 * 50 ms: the worker's thread was held that long) and the duration of every storage.session.get.
 */
const LENS_PROBE = `${LENS_SHIM}
let last = performance.now();
setInterval(() => {
  const now = performance.now();
  if (now - last > 50) bc.postMessage({ key: 'gap', url: String(Math.round(now - last)), wake, at: Date.now() });
  last = now;
}, 10);
const area = chrome.storage.session;
const get = area.get.bind(area);
area.get = (...args) => {
  const t0 = performance.now();
  const p = get(...args);
  p.then((v) => bc.postMessage({ key: 'get', url: Math.round(performance.now() - t0) + ' ' + Object.keys(v ?? {}).length, wake, at: Date.now() }), () => undefined);
  return p;
};
`;

/** The extension directory of a variant. */
function extensionDir(variant: Variant, temp: string[]): string {
  if (variant === 'lens') return resolve(root, 'dist/chrome');
  if (variant === 'lens-beacon' || variant === 'lens-probe') {
    const dir = mkdtempSync(join(tmpdir(), `kill-${variant}-`));
    temp.push(dir);
    cpSync(resolve(root, 'dist/chrome'), dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { background: { service_worker: string } };
    const loader = join(dir, manifest.background.service_worker);
    writeFileSync(join(dir, 'kill-shim.js'), variant === 'lens-probe' ? LENS_PROBE : LENS_SHIM);
    writeFileSync(loader, `import './kill-shim.js';\n${readFileSync(loader, 'utf8')}`);
    return dir;
  }
  if (variant === 'floor') return FLOOR_DIR;
  const cfg = FLOOR_VARIANTS[variant];
  if (!cfg) throw new Error(`unknown variant ${variant}`);
  const dir = mkdtempSync(join(tmpdir(), `kill-${variant}-`));
  temp.push(dir);
  cpSync(FLOOR_DIR, dir, { recursive: true });
  const bg = join(dir, 'background.js');
  let code = readFileSync(bg, 'utf8');
  const set = (name: string, value: string) => {
    const re = new RegExp(`^const ${name} = [^;]+;`, 'm');
    if (!re.test(code)) throw new Error(`${name} not found in the floor's background.js`);
    code = code.replace(re, `const ${name} = ${value};`);
  };
  if (cfg.allSix) set('ALL_SIX', 'true');
  if (cfg.busyMs) set('BUSY_MS', String(cfg.busyMs));
  if (cfg.beacon) set('BEACON', 'true');
  if (cfg.probe) set('PROBE', 'true');
  writeFileSync(bg, code);
  if (cfg.module) {
    const mf = join(dir, 'manifest.json');
    const m = JSON.parse(readFileSync(mf, 'utf8')) as { background: Record<string, string> };
    m.background.type = 'module';
    writeFileSync(mf, JSON.stringify(m, null, 2));
  }
  return dir;
}

function consecutiveRuns(idx: number[]): string[] {
  const sorted = [...idx].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return out;
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function exportHar(popup: Page, tabId: number): Promise<Har> {
  const r = (await popup.evaluate((t) => chrome.runtime.sendMessage({ type: 'export', tabId: t }), tabId)) as Reply;
  if (!r.ok) throw new Error(`export failed: ${r.error}`);
  return JSON.parse(r.value.har) as Har;
}

async function runOnce(variant: Variant, killEveryMs: number, round: number): Promise<RunResult> {
  const temp: string[] = [];
  const server = await startHostileServer();
  const browser = await launchChromium({ extensionDir: extensionDir(variant, temp) });
  try {
    const page = await browser.context.newPage();
    await page.goto(`${server.pageOrigin}/`);
    await page.waitForFunction(() => document.title === 'hostile page ready');
    let tabId = -1;
    const observer = await browser.context.newPage();
    if (variant !== 'floor' && variant.startsWith('lens')) {
      tabId = (await browser.sw!.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id ?? -1, `${server.pageOrigin}/*`)) as number;
      expect(tabId).toBeGreaterThan(0);
      await observer.goto(browser.extensionUrl(`src/popup/popup.html?tabId=${tabId}`));
    } else {
      await observer.goto(browser.extensionUrl('page.html'));
    }

    // Worker status timeline, stamped here.
    const cdp = await browser.context.newCDPSession(observer);
    const versions = new Map<string, Version>();
    const stoppedSeen = new Set<string>();
    const prefix = `chrome-extension://${browser.extensionId}/`;
    const timeline: { at: number; status: string }[] = [];
    cdp.on('ServiceWorker.workerVersionUpdated', (e: { versions: Version[] }) => {
      for (const v of e.versions) {
        const prev = versions.get(v.versionId);
        versions.set(v.versionId, v);
        if (v.runningStatus === 'stopped') stoppedSeen.add(v.versionId);
        if (v.scriptURL.startsWith(prefix) && prev?.runningStatus !== v.runningStatus) timeline.push({ at: Date.now(), status: v.runningStatus });
      }
    });
    await cdp.send('ServiceWorker.enable');

    const tag = `floor${Date.now()}`;
    // The page-side witness: every dispatch to this (never stopped) extension page, stamped.
    await observer.evaluate((t) => {
      const seen: Record<string, { s?: number; c?: number }> = {};
      (globalThis as unknown as { __seen: typeof seen }).__seen = seen;
      const path = (u: string) => new URL(u).pathname;
      const f = { urls: ['<all_urls>'] };
      chrome.webRequest.onSendHeaders.addListener((d) => {
        if (d.url.includes(t)) (seen[path(d.url)] ??= {}).s = Date.now();
      }, f);
      const done = (d: { url: string }) => {
        if (d.url.includes(t)) (seen[path(d.url)] ??= {}).c = Date.now();
      };
      chrome.webRequest.onCompleted.addListener(done, f);
      chrome.webRequest.onErrorOccurred.addListener(done, f);
      // floor-beacon: what the worker's listeners posted (key c:/s:<requestId> → url), and its wakes.
      const beacon: { key: string; url: string; wake: string; at: number }[] = [];
      (globalThis as unknown as { __beacon: typeof beacon }).__beacon = beacon;
      new BroadcastChannel('kill-floor').onmessage = (m: MessageEvent) => {
        const d = m.data as { key: string; url: string; wake: string; at: number };
        if (d.key === 'wake' || d.key === 'gap' || d.key === 'get' || d.url.includes(t)) beacon.push(d);
      };
    }, tag);

    let done = false;
    const t0 = Date.now();
    const burst = page
      .evaluate(({ n, p, t }) => (window as unknown as { hostile: { burst(n: number, p: number, t: string): Promise<{ ok: number; failed: number }> } }).hostile.burst(n, p, t), { n: BURST, p: PARALLEL, t: tag })
      .finally(() => {
        done = true;
      });
    let kills = 0;
    let attempts = 0;
    const stopCalls: number[] = [];
    while (!done && attempts < MAX_KILLS) {
      await new Promise((r) => setTimeout(r, killEveryMs));
      if (done) break;
      attempts++;
      stopCalls.push(Date.now());
      if (await killOnce(cdp, versions, stoppedSeen, prefix)) kills++;
    }
    const result = await burst;
    const burstMs = Date.now() - t0;

    const answered = new Set(server.log.filter((l) => l.server === 'api' && l.path.startsWith(`/ok/${tag}/`)).map((l) => l.path));
    expect(answered.size).toBe(result.ok);
    expect(result.ok).toBe(BURST);

    // What the extension kept, once it stops changing.
    let kept = new Set<string>();
    let half = new Set<string>();
    let incomplete = 0;
    /** lens: exported verdicts of the burst (how many are `unknown` because a wake saw only half). */
    let verdicts: Record<string, number> = {};
    const deadline = Date.now() + 90_000;
    let lastChange = Date.now();
    const lensLike = variant.startsWith('lens');
    const quietMs = lensLike ? 20_000 : 5_000;
    for (;;) {
      let now: Set<string>;
      if (lensLike) {
        const har = await exportHar(observer, tabId);
        const mine = har.log.entries.filter((e) => e.request.url.includes(`/ok/${tag}/`));
        now = new Set(mine.map((e) => new URL(e.request.url).pathname));
        incomplete = mine.filter((e) => e._cors.observed.outcome === 'incomplete').length;
        verdicts = {};
        for (const e of mine) verdicts[e._cors.verdict] = (verdicts[e._cors.verdict] ?? 0) + 1;
      } else {
        const all = (await observer.evaluate(() => chrome.storage.session.get(null))) as Record<string, unknown>;
        const paths = (p: string) =>
          new Set(
            Object.entries(all)
              .filter(([k, v]) => k.startsWith(p) && typeof v === 'string' && v.includes(`/ok/${tag}/`))
              .map(([, v]) => new URL(v as string).pathname),
          );
        now = paths('c:');
        half = paths('s:');
      }
      if (now.size !== kept.size) lastChange = Date.now();
      kept = now;
      if ([...answered].every((p) => kept.has(p)) || Date.now() - lastChange > quietMs || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await cdp.send('ServiceWorker.disable');
    await cdp.detach();
    const seen = (await observer.evaluate(() => (globalThis as unknown as { __seen: Seen }).__seen)) as Seen;
    type Beacon = { key: string; url: string; wake: string; at: number };
    const beacon = (await observer.evaluate(() => (globalThis as unknown as { __beacon: Beacon[] }).__beacon)) as Beacon[];
    const beaconDone = new Set(beacon.filter((b) => b.key.startsWith('c:')).map((b) => new URL(b.url).pathname));
    const beaconWakes = beacon.filter((b) => b.key === 'wake').length;
    const beaconOn = variant === 'floor-beacon' || variant === 'floor-probe' || variant === 'lens-beacon' || variant === 'lens-probe';
    /** When the worker's listener ran for a request's completion (first post), by path. */
    const beaconAt = new Map<string, number>();
    for (const b of beacon) if (b.key.startsWith('c:')) {
      const p = new URL(b.url).pathname;
      if (!beaconAt.has(p)) beaconAt.set(p, b.at);
    }
    /** ms from the page witness's completion to the worker listener's run: median / 90th / max. */
    const latency = (paths: string[]): string => {
      const xs = paths.map((p) => (beaconAt.get(p) ?? NaN) - (seen[p]?.c ?? NaN)).filter(Number.isFinite).sort((a, b) => a - b);
      if (xs.length === 0) return 'n/a';
      return `${xs[Math.floor(xs.length / 2)]}/${xs[Math.floor(xs.length * 0.9)]}/${xs[xs.length - 1]} ms (n ${xs.length})`;
    };
    const phantom = [...kept].filter((p) => !answered.has(p));
    const witnessMissing = [...answered].filter((p) => seen[p]?.c === undefined).length;

    // Completion time as the witness page saw it (requests it missed are left out of the clustering).
    const doneAt = (p: string): number | undefined => seen[p]?.c;
    const lost = [...answered].filter((p) => !kept.has(p));
    const answeredBeaconed = [...answered].filter((p) => beaconDone.has(p));
    const lostT = lost.map(doneAt).filter((t): t is number => t !== undefined);
    const allT = [...answered].map(doneAt).filter((t): t is number => t !== undefined);
    const idx = (p: string) => Number(p.split('/').pop());
    let wakeNote = '';
    /** lens: burst indices named anywhere in its storage.session (chunks, f:/i:/e: keys, in-flight list). */
    let lensTraces: Set<number> | null = null;
    if (lensLike) {
      const text = (await observer.evaluate(async () => Object.values(await chrome.storage.session.get(null)).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n'))) as string;
      lensTraces = new Set([...text.matchAll(new RegExp(`/ok/${tag}/(\\d+)`, 'g'))].map((m) => Number(m[1])));
      const wakes = (await observer.evaluate(async () => (await chrome.storage.session.get('diag:wakes'))['diag:wakes'] ?? [])) as Record<string, number>[];
      const ms = wakes.map((w) => w.restoreMs ?? 0);
      wakeNote = `lost with any trace in storage.session: ${lost.filter((p) => lensTraces!.has(idx(p))).length}; wakes that finished their restore ${wakes.length}, restoreMs median ${median(ms)} max ${ms.length ? Math.max(...ms) : null}, queued meanwhile median ${median(wakes.map((w) => w.queued ?? 0))}, longest synchronous slice of the restore ms median ${median(wakes.map((w) => w.longestSliceMs ?? 0))} max ${wakes.length ? Math.max(...wakes.map((w) => w.longestSliceMs ?? 0)) : null}, yields median ${median(wakes.map((w) => w.yields ?? 0))}; exported verdicts ${JSON.stringify(verdicts)}`;
      if (variant === 'lens-beacon' || variant === 'lens-probe') {
        // Was the worker restoring when the request completed? A wake (the shim's post at module
        // evaluation) restores until its diag:wakes record (`at` = ready); a wake without one died
        // restoring, i.e. until the next wake.
        const wakeAts = beacon.filter((b) => b.key === 'wake').map((b) => b.at).sort((a, b) => a - b);
        const readyAts = wakes.map((w) => w.at!).sort((a, b) => a - b);
        const restoring = wakeAts.map((w, i) => {
          const next = wakeAts[i + 1] ?? Infinity;
          const ready = readyAts.find((r) => r >= w && r < next);
          return [w, ready ?? next] as const;
        });
        const inRestore = (p: string) => {
          const t = seen[p]?.c;
          return t !== undefined && restoring.some(([a, b]) => t >= a && t < b);
        };
        const part = (paths: string[]) => [paths.filter(inRestore), paths.filter((p) => !inRestore(p))] as const;
        const [allR, allI] = part([...answered]);
        const [lostR, lostI] = part(lost);
        wakeNote +=
          `; completing while a wake was restoring: all ${allR.length} (listener latency ${latency(allR)}), lost ${lostR.length}` +
          `; otherwise: all ${allI.length} (latency ${latency(allI)}), lost ${lostI.length}; wakes that died restoring ${restoring.filter(([, b]) => !readyAts.includes(b)).length}`;
      }
    }

    if (variant === 'lens-probe' || variant === 'floor-probe') {
      // Event-loop gaps (the thread held > 50 ms) and storage.session.get durations, during the burst.
      const inBurst = (b: Beacon) => b.at >= t0;
      const gaps = beacon.filter((b) => b.key === 'gap' && inBurst(b)).map((b) => Number(b.url)).sort((a, b) => a - b);
      const gets = beacon.filter((b) => b.key === 'get' && inBurst(b)).map((b) => b.url.split(' ').map(Number) as [number, number]);
      const big = gets.filter(([, keys]) => keys > 5).map(([ms]) => ms).sort((a, b) => a - b);
      wakeNote +=
        `; probe: ${gaps.length} gaps > 50 ms (median ${median(gaps)}, max ${gaps.length ? gaps[gaps.length - 1] : null}, total ${gaps.reduce((a, b) => a + b, 0)} ms)` +
        `; storage.session.get of the whole capture: ${big.length} (ms median ${median(big)}, max ${big.length ? big[big.length - 1] : null}; keys median ${median(gets.filter(([, k]) => k > 5).map(([, k]) => k))})`;
    }

    // Clustering.
    const stateAt = (t: number): string => {
      let s = 'running';
      for (const e of timeline) {
        if (e.at > t) break;
        s = e.status;
      }
      return s;
    };
    const windows = stopCalls.map((at) => {
      const back = timeline.find((e) => e.at > at && e.status === 'running');
      return [at, back?.at ?? Infinity] as const;
    });
    const inWindow = (t: number) => windows.some(([a, b]) => t >= a && t < b);
    const sinceStop = (t: number): number | null => {
      let best: number | null = null;
      for (const at of stopCalls) if (at <= t) best = t - at;
      return best;
    };
    const tally = (times: number[]) => {
      const out: Record<string, number> = {};
      for (const t of times) {
        const s = stateAt(t);
        out[s] = (out[s] ?? 0) + 1;
      }
      return out;
    };
    const stopMs: number[] = [];
    const restartMs: number[] = [];
    for (const at of stopCalls) {
      const stopped = timeline.find((e) => e.at >= at && e.status === 'stopped');
      if (!stopped) continue;
      stopMs.push(stopped.at - at);
      const back = timeline.find((e) => e.at > stopped.at && e.status === 'running');
      if (back) restartMs.push(back.at - stopped.at);
    }
    const mean = (xs: number[]) => (xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : null);
    const lostSince = lostT.map(sinceStop).filter((x): x is number => x !== null);
    const r: RunResult = {
      variant,
      killEveryMs,
      round,
      answered: answered.size,
      kills,
      attempts,
      burstMs,
      lost: lost.length,
      halfSeen: lensLike ? incomplete : lost.filter((p) => half.has(p)).length,
      witnessMissing,
      runs: consecutiveRuns(lost.map(idx)),
      lostByState: tally(lostT),
      allByState: tally(allT),
      lostInKillWindow: lostT.filter(inWindow).length,
      allInKillWindow: allT.filter(inWindow).length,
      lostSinceStopMedian: median(lostSince),
      lostSinceStopMax: lostSince.length ? Math.max(...lostSince) : null,
      meanStopMs: mean(stopMs),
      meanRestartMs: mean(restartMs),
      lostButBeaconed: beaconOn ? lost.filter((p) => beaconDone.has(p)).length : null,
      beaconWakes: beaconOn ? beaconWakes : null,
      beaconLatency: beaconOn ? latency(answeredBeaconed) : null,
      lostBeaconLatency: beaconOn ? latency(lost.filter((p) => beaconDone.has(p))) : null,
      note: wakeNote,
    };
    console.log(
      `[kill-floor] ${variant} every ${killEveryMs} ms #${round}: answered ${r.answered}, kills ${kills}/${attempts}, burst ${burstMs} ms, ` +
        `LOST ${r.lost} (${lensLike ? 'incomplete exported' : 'lost with a send-headers record'} ${r.halfSeen}), ` +
        `lost in stop→running windows ${r.lostInKillWindow} (all requests completing there: ${r.allInKillWindow}), ` +
        `since last stop call median ${r.lostSinceStopMedian} max ${r.lostSinceStopMax} ms, stop→stopped ${r.meanStopMs} ms, stopped→running ${r.meanRestartMs} ms`,
    );
    console.log(`[kill-floor]   state at completion: lost ${JSON.stringify(r.lostByState)}, all ${JSON.stringify(r.allByState)}`);
    console.log(`[kill-floor]   lost runs (${r.runs.length}): ${r.runs.slice(0, 50).join(' ')}`);
    if (r.lostButBeaconed !== null) {
      console.log(
        `[kill-floor]   beacon: ${r.beaconWakes} wakes posted, completions posted for ${answeredBeaconed.length} answered; of the lost, the listener posted the completion for ${r.lostButBeaconed}; ` +
          `witness→listener latency all ${r.beaconLatency}, lost ${r.lostBeaconLatency}`,
      );
    }
    if (r.note) console.log(`[kill-floor]   ${r.note}`);
    results.push(r);
    // Honest bookkeeping (after the figures are recorded): nothing kept that the server never
    // answered, the witness page saw every answered request, the schedule took effect.
    expect(phantom).toEqual([]);
    expect(witnessMissing).toBe(0);
    expect(kills).toBeGreaterThanOrEqual(3);
    return r;
  } finally {
    await browser.close();
    await server.close();
    for (const d of temp) rmSync(d, { recursive: true, force: true });
  }
}

afterAll(() => {
  if (results.length === 0) return;
  mkdirSync(resolve(root, 'test-results'), { recursive: true });
  writeFileSync(resolve(root, 'test-results/kill-floor.json'), JSON.stringify(results, null, 2));
  console.log('[kill-floor] variant  every  run  lost/answered  kills  lost-in-window/all-in-window  half-seen');
  for (const r of results) {
    console.log(
      `[kill-floor] ${r.variant.padEnd(12)} ${String(r.killEveryMs).padStart(5)} ${String(r.round).padStart(4)}  ${r.lost}/${r.answered}  ${r.kills}/${r.attempts}  ${r.lostInKillWindow}/${r.allInKillWindow}  ${r.halfSeen}`,
    );
  }
});

describe('the floor of capture loss under repeated worker stops', () => {
  for (const every of SCHEDULES) {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const variant of VARIANTS) {
        it(`${variant}, a stop every ${every} ms, run ${round}: loss counted against the server log`, async () => {
          await runOnce(variant, every, round);
        }, 360_000);
      }
    }
  }
});
