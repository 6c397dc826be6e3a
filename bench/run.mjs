#!/usr/bin/env node
/**
 * `npm run bench`: the CORS Lens benchmarks of issue 6. Prints one table (every figure next to
 * its goal) and writes bench/results.json. Method and the latest table: docs/bench.md.
 *
 *   npm run bench                      everything (≈ 10 min on 2 idle cores)
 *   npm run bench -- --only capture,size   some sections (capture, engine, panel, memory, size)
 *   npm run bench -- --quick           fewer rounds and smaller budgets (a smoke run)
 *   npm run bench -- --no-firefox      skip Firefox in the capture benchmark (--no-chromium: Chromium)
 *   npm run bench -- --profile         also write CPU profiles / a heap snapshot to bench/out/profiles
 *   npm run bench -- --only capture --attribution [--baseline <commit>]
 *                                      capture with the attribution variants (bench/variants/),
 *                                      CPU split by Chromium process kind; --baseline adds the
 *                                      release build of an older commit as `lens-old`
 *   npm run bench -- --only capture --no-firefox --baseline <commit> --budget 480
 *                                      the same paired against the floor, with a longer round budget
 *   npm run bench -- --only capture --fresh [--rounds 10 --budget 900]
 *                                      new browsers every round (a browser instance keeps a bias
 *                                      of its own for the run: bench/capture.mjs `fresh`)
 *   npm run bench -- --only engine --baseline <commit>
 *                                      the CLI of <commit> in the same rounds (5): old / floor, new / old
 *
 * The extension and the CLI are built from the current sources into bench/out/ first (never
 * dist/, which other work may be rebuilding during a run). Every loop is bounded in count and in
 * time; only loopback servers are used; every browser started is closed on exit.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import os from 'node:os';
import { CALLS, IDLE_STOP_MS, kindExcess, pairedRatios, runCaptureFor, wakeRounds, workerThread } from './capture.mjs';
import { runEngine, HAR_ENTRIES } from './engine.mjs';
import { OUT, ROOT, buildCommit, buildExtension } from './lib/build.mjs';
import { CHROMIUM_KINDS } from './lib/proc.mjs';
import { fmtSpread } from './lib/stats.mjs';
import { MEMORY_REQUESTS, runMemory } from './memory.mjs';
import { runPanel } from './panel.mjs';
import { measureSizes } from './size.mjs';

const argv = process.argv.slice(2);
const flag = (/** @type {string} */ name) => argv.includes(`--${name}`);
const onlyArg = argv.find((a) => a.startsWith('--only'));
const onlyValue = onlyArg?.includes('=') ? onlyArg.split('=')[1] : onlyArg ? argv[argv.indexOf(onlyArg) + 1] : undefined;
const SECTIONS = ['size', 'engine', 'panel', 'memory', 'capture'];
const only = onlyValue ? onlyValue.split(',').map((s) => s.trim()) : SECTIONS;
for (const s of only) if (!SECTIONS.includes(s)) throw new Error(`unknown section ${s} (one of ${SECTIONS.join(', ')})`);
const quick = flag('quick');
const attribution = flag('attribution');
// --fresh: the capture benchmark starts new browsers every round (capture.mjs `fresh`).
const fresh = flag('fresh');
const freshNote = fresh ? ', fresh browsers each round' : '';
// --rounds <n>: measured capture rounds at most (default 6), e.g. for a longer --fresh run.
const roundsArg = argv.indexOf('--rounds');
const roundsN = roundsArg >= 0 ? Number(argv[roundsArg + 1]) : undefined;
if (roundsN !== undefined && !(Number.isInteger(roundsN) && roundsN > 0)) throw new Error('--rounds needs a positive integer');
const baselineArg = argv.indexOf('--baseline');
const baseline = baselineArg >= 0 ? argv[baselineArg + 1] : undefined;
if (baselineArg >= 0 && !baseline) throw new Error('--baseline needs a commit');
// --budget <s>: measured-round time budget of the Chromium capture loop (for a longer paired
// comparison, e.g. with --baseline); the default table keeps its own budget.
const budgetArg = argv.indexOf('--budget');
const budgetS = budgetArg >= 0 ? Number(argv[budgetArg + 1]) : undefined;
if (budgetS !== undefined && !(budgetS > 0)) throw new Error('--budget needs seconds');
const profileDir = flag('profile') ? resolve(OUT, 'profiles') : undefined;
if (profileDir) mkdirSync(profileDir, { recursive: true });

const started = performance.now();
const log = (/** @type {string} */ s) => console.log(s);
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;

/** @type {Record<string, any>} */
const results = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? '', loadavg: os.loadavg(), node: process.version },
  quick,
  sections: {},
};
/** Rows of the final table: [figure, value, goal, ok?]. @type {[string, string, string, boolean|null][]} */
const table = [];

log(`CORS Lens benchmarks (${only.join(', ')})${quick ? ' — quick' : ''}; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
log('building the extension (chrome, firefox) into bench/out/ext …');
const chromeDir = await buildExtension('chrome');
const firefoxDir = only.includes('capture') && !flag('no-firefox') ? await buildExtension('firefox') : null;
const readableDir = profileDir && (only.includes('panel') || only.includes('memory')) ? await buildExtension('chrome', true) : null;

if (only.includes('size')) {
  log(`\n[size] ${elapsed()}`);
  const sizes = measureSizes(chromeDir);
  results.sections.size = sizes;
  for (const [name, s] of Object.entries(sizes)) {
    log(`  ${name.padEnd(14)} ${(s.gzip / 1024).toFixed(1).padStart(6)} KB gzipped (JS ${(s.gzipJs / 1024).toFixed(1)} KB, CSS ${(s.gzipCss / 1024).toFixed(1)} KB), ${(s.bytes / 1024).toFixed(1)} KB raw, ${s.files.length} files`);
  }
  for (const name of ['background', 'panel', 'popup', 'devtools page']) {
    const s = sizes[name];
    table.push([`${name} bundle, gzipped`, `${(s.gzip / 1024).toFixed(1)} KB`, name === 'panel' ? '≤ 60 KB' : '—', name === 'panel' ? s.gzip <= 60 * 1024 : null]);
  }
}

if (only.includes('engine')) {
  log(`\n[engine] ${elapsed()}`);
  const e = await runEngine({ rounds: quick ? 1 : baseline ? 5 : 3, log, baseline });
  results.sections.engine = e;
  table.push([`CLI / JSON.parse, CPU (${HAR_ENTRIES / 1000}k-entry HAR)`, fmtSpread(e.cliOverJsonParse.cpu, 2), '≤ 2.0', e.cliOverJsonParse.cpu.median <= 2.0]);
  table.push([`CLI / JSON.parse, wall`, fmtSpread(e.cliOverJsonParse.wall, 2), '(≤ 2.0)', null]);
  if (e.baseline) {
    table.push([`CLI of ${e.baseline.commit} / JSON.parse, CPU`, fmtSpread(e.baseline.oldOverJsonParseCpu, 2), '—', null]);
    table.push([`CLI / CLI of ${e.baseline.commit}, CPU`, fmtSpread(e.baseline.newOverOldCpu, 3), '—', null]);
  }
  table.push(['engine judgements per second (in-process)', `${Math.round(e.inProcess.judgementsPerSecond).toLocaleString('en')}/s`, '—', null]);
}

if (only.includes('panel')) {
  log(`\n[panel] ${elapsed()}`);
  const p = await runPanel({ rounds: quick ? 1 : 3, log, extensionDir: readableDir ?? chromeDir, profileDir });
  results.sections.panel = p;
  for (const n of Object.keys(p)) {
    const r = p[n];
    const k = `${Number(n) / 1000}k`;
    table.push([`panel first render, ${k} exchanges`, `${fmtSpread(r.firstRenderMs, 0)} ms`, n === '10000' ? '≤ 150 ms' : '—', n === '10000' ? r.firstRenderMs.median <= 150 : null]);
    table.push([`panel import total (read+analyse+render), ${k}`, `${fmtSpread(r.importMs, 0)} ms`, '—', null]);
    table.push([`panel scroll to end, ${k}`, `${fmtSpread(r.scrollEndMs, 0)} ms`, '—', null]);
    table.push([`panel paged scroll (40 frames), worst frame, ${k}`, `${fmtSpread(r.pagedWorstFrameMs, 0)} ms`, '—', null]);
  }
}

if (only.includes('memory')) {
  log(`\n[memory] ${elapsed()}`);
  const m = await runMemory({ log, extensionDir: readableDir ?? chromeDir, budgetMs: quick ? 30_000 : 240_000, profileDir });
  results.sections.memory = m;
  table.push(['worker heap per stored entry', `${(m.perEntryBytes / 1024).toFixed(2)} KB`, '≤ 2 KB', m.perEntryBytes <= 2048]);
  table.push([
    `worker heap after ${m.afterCap.requests.toLocaleString('en')} requests (cap in force)${m.afterCap.reachedTarget ? '' : ` — budget hit before ${MEMORY_REQUESTS.toLocaleString('en')}`}`,
    `${(m.afterCap.heap / 1e6).toFixed(1)} MB, ${m.afterCap.entries} entries`,
    '—',
    null,
  ]);
}

if (only.includes('capture')) {
  log(`\n[capture] ${elapsed()}  (${CALLS} calls per batch: half preflighted, 10 % failing)`);
  const rounds = quick ? 1 : (roundsN ?? 6);
  const floorDir = resolve(ROOT, 'bench/floor-extension');
  if (!flag('no-chromium')) {
    /** @type {{name: string, ext: string|null}[]} */
    const variants = [
      ...(attribution ? [] : [{ name: 'none', ext: null }]),
      { name: 'floor', ext: floorDir },
      { name: 'floor-b', ext: floorDir },
      { name: 'lens', ext: chromeDir },
    ];
    if (baseline) {
      const old = await buildCommit(baseline, 'chrome');
      log(`  lens-old = release build of ${old.sha} (${old.dir})`);
      variants.push({ name: 'lens-old', ext: old.dir });
    }
    // Attribution only (not in the default table: 4 more browsers would double the capture time).
    const ATTRIBUTION = [['nopersist'], ['smallvalues'], ['nojudge'], ['nojudge', 'nopersist'], ['listeners']];
    if (attribution) for (const v of ATTRIBUTION) variants.push({ name: `lens-${v.join('-')}`, ext: await buildExtension('chrome', false, { variant: v }) });
    const chromium = await runCaptureFor('chromium', variants, {
      rounds,
      minRounds: quick ? 1 : attribution ? 3 : 2,
      // Attribution runs 9 browsers per round: a larger budget, so it still gets ≥ 3 rounds.
      budgetMs: budgetS !== undefined ? budgetS * 1000 : quick ? 60_000 : attribution ? 600_000 : 120_000,
      warmupCalls: 200,
      log,
      fresh,
    });
    const lensFloor = pairedRatios(chromium.batches, 'lens', 'floor');
    const floorNone = pairedRatios(chromium.batches, 'floor', 'none');
    const noise = pairedRatios(chromium.batches, 'floor-b', 'floor');
    results.sections.captureChromium = { ...chromium, lensFloor, floorNone, noise };
    /** Every lens variant (and floor-b) against the floor, with its CPU split by process kind. */
    const attributionRows = variants
      .filter((v) => v.name !== 'floor' && v.name !== 'none')
      .map((v) => ({ variant: v.name, ratio: pairedRatios(chromium.batches, v.name, 'floor'), kinds: kindExcess(chromium.batches, v.name, 'floor'), worker: workerThread(chromium.batches, v.name, 'floor') }));
    results.sections.captureChromium.attribution = attributionRows;
    if (attribution || baseline) {
      log(`\nChromium, each variant / floor (CPU ÷ network-service CPU, paired per round), and its excess over the floor by process kind`);
      log(`(kind excess = share of the floor's CPU ÷ net-CPU; the kinds add up to ratio − 1):\n`);
      const kinds = CHROMIUM_KINDS.filter((k) => k !== 'gpu');
      // The last column is part of `extension`: the service-worker thread alone (lib/proc.mjs).
      log(`| variant | / floor, CPU ÷ net | rounds | ${kinds.join(' | ')} | worker thread |`);
      log(`|---|---|---|${kinds.map(() => '---').join('|')}|---|`);
      /** @param {{median: number, min: number, max: number, n: number}} x */
      const pct = (x) => (x.n > 0 ? `${(x.median * 100).toFixed(1)} % (${(x.min * 100).toFixed(1)}…${(x.max * 100).toFixed(1)})` : '-');
      for (const r of attributionRows) {
        log(`| ${r.variant} | ${fmtSpread(r.ratio.cpuPerNet)} | ${r.ratio.cpuPerNet.n} | ${kinds.map((k) => (r.kinds.excess[k] ? pct(r.kinds.excess[k]) : '-')).join(' | ')} | ${pct(r.worker.excess)} |`);
      }
      const fk = kindExcess(chromium.batches, 'floor', 'floor').perNet;
      log(`\nfloor's own CPU by kind ÷ its network CPU: ${CHROMIUM_KINDS.map((k) => `${k} ${fk[k] ? fk[k].median.toFixed(2) : '-'}`).join(', ')}`);
    }
    const chromiumRounds = lensFloor.wall.n;
    table.push([`Chromium CORS Lens / floor, page wall (${chromiumRounds} rounds${freshNote})`, fmtSpread(lensFloor.wall), '≤ 1.02', lensFloor.wall.median <= 1.02]);
    table.push(['Chromium CORS Lens / floor, CPU ÷ network-service CPU', fmtSpread(lensFloor.cpuPerNet), '(≤ 1.02)', lensFloor.cpuPerNet.median <= 1.02]);
    table.push(['Chromium CORS Lens / floor, browser CPU', fmtSpread(lensFloor.cpu), '—', null]);
    // Split by whether CORS Lens's batch began with a wake of its stopped worker (the restore
    // judges the stored capture again: README, Known limits).
    const wakes = wakeRounds(chromium.batches, 'lens');
    const afterWake = pairedRatios(chromium.batches, 'lens', 'floor', (r) => wakes.woke.has(r));
    const noWake = pairedRatios(chromium.batches, 'lens', 'floor', (r) => wakes.stayed.has(r));
    results.sections.captureChromium.lensFloorByWake = { idleStopMs: IDLE_STOP_MS, afterWake, noWake };
    if (afterWake.cpuPerNet.n > 0 && noWake.cpuPerNet.n > 0) {
      table.push([`Chromium CORS Lens / floor, CPU ÷ net: after a worker wake (${afterWake.cpuPerNet.n}) · without (${noWake.cpuPerNet.n})`, `${fmtSpread(afterWake.cpuPerNet)} · ${fmtSpread(noWake.cpuPerNet)}`, '—', null]);
    }
    // The service-worker thread alone (lib/proc.mjs serviceWorkerThreads): where our code runs.
    const lensWorker = workerThread(chromium.batches, 'lens', 'floor');
    const noiseWorker = workerThread(chromium.batches, 'floor-b', 'floor');
    results.sections.captureChromium.workerThread = { lensFloor: lensWorker, noise: noiseWorker };
    table.push(['Chromium CORS Lens / floor, service-worker thread CPU ÷ net', fmtSpread(lensWorker.ratio), '—', null]);
    if (baseline) {
      const oldNew = workerThread(chromium.batches, 'lens', 'lens-old');
      results.sections.captureChromium.workerThread.lensOld = oldNew;
      table.push([`Chromium CORS Lens ${baseline} / floor, CPU ÷ network-service CPU`, fmtSpread(pairedRatios(chromium.batches, 'lens-old', 'floor').cpuPerNet), '—', null]);
      table.push([`Chromium CORS Lens / CORS Lens ${baseline}, CPU ÷ network-service CPU`, fmtSpread(pairedRatios(chromium.batches, 'lens', 'lens-old').cpuPerNet), '—', null]);
      table.push([`Chromium CORS Lens / CORS Lens ${baseline}, service-worker thread CPU ÷ net`, fmtSpread(oldNew.ratio), '—', null]);
    }
    table.push(['Chromium floor / none, page wall', fmtSpread(floorNone.wall), '—', null]);
    table.push(['Chromium floor / none, CPU ÷ network-service CPU', fmtSpread(floorNone.cpuPerNet), '—', null]);
    table.push(['Chromium noise: floor-b / floor, page wall', fmtSpread(noise.wall), '≈ 1', null]);
    table.push(['Chromium noise: floor-b / floor, CPU ÷ network CPU', fmtSpread(noise.cpuPerNet), '≈ 1', null]);
    table.push(['Chromium noise: floor-b / floor, service-worker thread CPU ÷ net', fmtSpread(noiseWorker.ratio), '≈ 1', null]);
    if (chromium.wrongOutcomes > 0) table.push(['Chromium batches with unexpected outcomes', String(chromium.wrongOutcomes), '0', false]);
  }
  if (!flag('no-firefox')) {
    const firefox = await runCaptureFor(
      'firefox',
      [
        { name: 'floor', ext: resolve(ROOT, 'bench/floor-extension') },
        { name: 'floor-b', ext: resolve(ROOT, 'bench/floor-extension') },
        { name: 'lens', ext: /** @type {string} */ (firefoxDir) },
        ...(baseline ? [{ name: 'lens-old', ext: (await buildCommit(baseline, 'firefox')).dir }] : []),
      ],
      { rounds, minRounds: quick ? 1 : 2, budgetMs: budgetS !== undefined ? budgetS * 1000 : quick ? 60_000 : 90_000, warmupCalls: 200, log, fresh },
    );
    const ffLens = pairedRatios(firefox.batches, 'lens', 'floor');
    const ffNoise = pairedRatios(firefox.batches, 'floor-b', 'floor');
    results.sections.captureFirefox = { ...firefox, lensFloor: ffLens, noise: ffNoise };
    table.push([`Firefox CORS Lens / floor, page wall (${ffLens.wall.n} rounds${freshNote})`, fmtSpread(ffLens.wall), '≤ 1.02', ffLens.wall.median <= 1.02]);
    table.push(['Firefox CORS Lens / floor, browser CPU', fmtSpread(ffLens.cpu), '(≤ 1.02)', ffLens.cpu.median <= 1.02]);
    table.push(['Firefox noise: floor-b / floor, page wall', fmtSpread(ffNoise.wall), '≈ 1', null]);
    table.push(['Firefox noise: floor-b / floor, browser CPU', fmtSpread(ffNoise.cpu), '≈ 1', null]);
    if (baseline) {
      table.push([`Firefox CORS Lens ${baseline} / floor, browser CPU`, fmtSpread(pairedRatios(firefox.batches, 'lens-old', 'floor').cpu), '—', null]);
      table.push([`Firefox CORS Lens / CORS Lens ${baseline}, browser CPU`, fmtSpread(pairedRatios(firefox.batches, 'lens', 'lens-old').cpu), '—', null]);
    }
    if (firefox.wrongOutcomes > 0) table.push(['Firefox batches with unexpected outcomes', String(firefox.wrongOutcomes), '0', false]);
  }
}

results.table = table.map(([figure, value, goal, ok]) => ({ figure, value, goal, ok }));
results.seconds = (performance.now() - started) / 1000;
// An attribution run is not a run of the benchmark's table: kept apart from bench/results.json.
const outFile = resolve(ROOT, quick ? 'bench/out/results-quick.json' : attribution ? 'bench/out/results-attribution.json' : 'bench/results.json');
mkdirSync(resolve(outFile, '..'), { recursive: true });
writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);

const w0 = Math.max(...table.map((r) => r[0].length), 6);
const w1 = Math.max(...table.map((r) => r[1].length), 5);
const w2 = Math.max(...table.map((r) => r[2].length), 4);
const line = (/** @type {string[]} */ c) => `| ${c[0].padEnd(w0)} | ${c[1].padEnd(w1)} | ${c[2].padEnd(w2)} | ${c[3].padEnd(4)} |`;
log(`\nResults (median (min–max) over alternating rounds; ratios paired per round), ${elapsed()} in all:\n`);
log(line(['figure', 'value', 'goal', 'met']));
log(`|${'-'.repeat(w0 + 2)}|${'-'.repeat(w1 + 2)}|${'-'.repeat(w2 + 2)}|------|`);
for (const [figure, value, goal, ok] of table) log(line([figure, value, goal, ok === null ? '' : ok ? 'yes' : 'NO']));
log(`\nwritten ${outFile}`);
// Any browser or server left would keep the process alive: exit explicitly.
process.exit(0);
