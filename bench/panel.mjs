/**
 * Benchmark 3 — panel. The real panel page (chrome-extension://<id>/src/devtools/panel.html?tabId=N,
 * opened as a tab: DESIGN §3.4) fed through its own "Import HAR" file input with a synthetic HAR
 * of 1,000 and 10,000 cross-origin exchanges (bench/synthetic-har.mjs, corsOnly). Measured inside
 * the page, so the automation's round trips are not counted:
 *
 *   first render   from the store receiving the analysed entries (the panel's own performance mark
 *                  'cors-lens:import-analyzed') to the first frame painted with the rows in the DOM
 *   import total   from the file input's change event to that same frame (file read, parseHar,
 *                  analysis, render)
 *   scroll to end  from setting the list's scrollTop to its end to the frame painted with the
 *                  last row in the DOM
 *   paged scroll   40 jumps spread from top to bottom, one per frame: total and the worst frame
 *
 * "Painted" = a requestAnimationFrame callback followed by a task (the frame after the DOM
 * change has been produced). Each size is measured in a freshly loaded panel page, alternating
 * sizes over the rounds.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { launchChromium } from '../test/harness/launch.mjs';
import { OUT } from './lib/build.mjs';
import { summary } from './lib/stats.mjs';
import { generateHar } from './synthetic-har.mjs';

export const PANEL_SIZES = [1000, 10_000];
const STEP_TIMEOUT_MS = 120_000;


/**
 * @param {{rounds: number, log: (s: string) => void, extensionDir: string, profileDir?: string}} opts
 *   profileDir: also record CPU profiles (CDP Profiler) of the import+render and of the paged
 *   scroll of the largest size in round 0, written there as .cpuprofile (evidence, not timing:
 *   the profiler slows the page, so profiled runs are not counted)
 */
export async function runPanel(opts) {
  mkdirSync(resolve(OUT, 'panel'), { recursive: true });
  /** @type {Record<number, string>} */
  const files = {};
  for (const n of PANEL_SIZES) {
    files[n] = resolve(OUT, 'panel', `cors-${n}.har`);
    writeFileSync(files[n], JSON.stringify(generateHar(n, 7, { corsOnly: true })));
  }
  const browser = await launchChromium({ extensionDir: opts.extensionDir, headless: true, viewport: { width: 1280, height: 800 } });
  /** @type {Record<number, {firstRenderMs: number[], importMs: number[], scrollEndMs: number[], pagedTotalMs: number[], pagedWorstFrameMs: number[], rows: number}>} */
  const res = {};
  for (const n of PANEL_SIZES) res[n] = { firstRenderMs: [], importMs: [], scrollEndMs: [], pagedTotalMs: [], pagedWorstFrameMs: [], rows: 0 };
  try {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    // A tab id no real tab has: the panel shows an empty live capture until the import.
    const url = browser.extensionUrl('src/devtools/panel.html?tabId=987654');
    for (let round = 0; round < opts.rounds; round++) {
      const order = round % 2 === 0 ? PANEL_SIZES : [...PANEL_SIZES].reverse();
      for (const n of order) {
        await page.goto(url);
        await page.waitForSelector('[role=grid]');
        const input = page.locator('input[type=file]');
        // Arm the in-page measurement before choosing the file.
        const measured = page.evaluate(
          () =>
            new Promise((resolvePromise, reject) => {
              // (no eval or shared helper: extension pages forbid eval by CSP)
              const paintedFrame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
              const input = document.querySelector('input[type=file]');
              const grid = () => document.querySelector('[role=grid]');
              let tChange = 0;
              input?.addEventListener('change', () => (tChange = performance.now()), { capture: true, once: true });
              const timer = setTimeout(() => reject(new Error('import did not render within 100 s')), 100_000);
              const check = async () => {
                const g = grid();
                const rowCount = Number(g?.getAttribute('aria-rowcount') ?? 0) - 1;
                const analyzed = performance.getEntriesByName('cors-lens:import-analyzed').at(-1);
                if (!analyzed || rowCount <= 0 || !g?.querySelector('[role=row][aria-rowindex]')) {
                  requestAnimationFrame(() => check().catch(reject));
                  return;
                }
                await paintedFrame();
                const tPainted = performance.now();
                clearTimeout(timer);
                resolvePromise({ firstRenderMs: tPainted - analyzed.startTime, importMs: tPainted - tChange, rows: rowCount });
              };
              check().catch((err) => {
                clearTimeout(timer);
                reject(err);
              });
            }),
        );
        const profiling = opts.profileDir && round === 0 && n === PANEL_SIZES[PANEL_SIZES.length - 1];
        const cdp = profiling ? await browser.context.newCDPSession(page) : null;
        if (cdp) {
          await cdp.send('Profiler.enable');
          await cdp.send('Profiler.start');
        }
        await input.setInputFiles(files[n]);
        const first = await measured;
        if (cdp) {
          const { profile } = await cdp.send('Profiler.stop');
          writeFileSync(resolve(/** @type {string} */ (opts.profileDir), `panel-import-${n}.cpuprofile`), JSON.stringify(profile));
          await cdp.send('Profiler.start');
        }
        const scroll = await page.evaluate(
          async () => {
            const paintedFrame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
            const g = /** @type {HTMLElement} */ (document.querySelector('[role=grid]'));
            const rowCount = Number(g.getAttribute('aria-rowcount'));
            const t0 = performance.now();
            g.scrollTop = g.scrollHeight;
            const deadline = t0 + 30_000;
            while (!g.querySelector(`[aria-rowindex="${rowCount}"]`)) {
              if (performance.now() > deadline) throw new Error('the last row never rendered');
              await new Promise((r) => requestAnimationFrame(r));
            }
            await paintedFrame();
            const scrollEndMs = performance.now() - t0;
            g.scrollTop = 0;
            await paintedFrame();
            const steps = 40;
            let worst = 0;
            const p0 = performance.now();
            for (let i = 1; i <= steps; i++) {
              const f0 = performance.now();
              g.scrollTop = ((g.scrollHeight - g.clientHeight) * i) / steps;
              await paintedFrame();
              worst = Math.max(worst, performance.now() - f0);
            }
            return { scrollEndMs, pagedTotalMs: performance.now() - p0, pagedWorstFrameMs: worst };
          },
        );
        if (cdp) {
          const { profile } = await cdp.send('Profiler.stop');
          writeFileSync(resolve(/** @type {string} */ (opts.profileDir), `panel-scroll-${n}.cpuprofile`), JSON.stringify(profile));
          await cdp.detach();
          opts.log(`  panel: profiles of the ${n} import and scroll written to ${opts.profileDir} (this round is not counted)`);
          continue;
        }
        const r = res[n];
        r.rows = first.rows;
        r.firstRenderMs.push(first.firstRenderMs);
        r.importMs.push(first.importMs);
        r.scrollEndMs.push(scroll.scrollEndMs);
        r.pagedTotalMs.push(scroll.pagedTotalMs);
        r.pagedWorstFrameMs.push(scroll.pagedWorstFrameMs);
        opts.log(
          `  panel round ${round} ${String(n).padStart(5)} exchanges (${first.rows} rows): first render ${first.firstRenderMs.toFixed(0)} ms, import total ${first.importMs.toFixed(0)} ms, scroll to end ${scroll.scrollEndMs.toFixed(0)} ms, paged scroll ${scroll.pagedTotalMs.toFixed(0)} ms (worst frame ${scroll.pagedWorstFrameMs.toFixed(0)} ms)`,
        );
      }
    }
  } finally {
    await browser.close();
  }
  /** @type {Record<string, any>} */
  const out = {};
  for (const n of PANEL_SIZES) {
    const r = res[n];
    out[n] = {
      rows: r.rows,
      firstRenderMs: summary(r.firstRenderMs),
      importMs: summary(r.importMs),
      scrollEndMs: summary(r.scrollEndMs),
      pagedTotalMs: summary(r.pagedTotalMs),
      pagedWorstFrameMs: summary(r.pagedWorstFrameMs),
    };
  }
  return out;
}
