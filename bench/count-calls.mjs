#!/usr/bin/env node
/**
 * How many storage.session calls CORS Lens makes for one capture batch (the 2,000-call job of
 * the capture benchmark, lib/server.mjs): `set` and `remove` calls, and the finished requests
 * written through, the in-flight keys written and skipped, and the characters written per kind
 * of key, read from the worker's debug hook (`__corsLens.storageCalls`).
 *
 *   node bench/count-calls.mjs [--rounds 3]
 *
 * A count, not a timing: the browser is driven by Playwright (DevTools protocol attached, which
 * the capture benchmark avoids), so event timing, and with it how many write-throughs share one
 * `set` (persist.ts `writeFinished`), may differ somewhat from the benchmark's.
 */
import { launchChromium } from '../test/harness/launch.mjs';
import { buildExtension } from './lib/build.mjs';
import { CALLS, FAIL_EVERY, WAVE } from './capture.mjs';
import { startBenchServer } from './lib/server.mjs';

const argv = process.argv.slice(2);
const ri = argv.indexOf('--rounds');
const rounds = ri >= 0 ? Number(argv[ri + 1]) : 3;

const ext = await buildExtension('chrome');
const server = await startBenchServer();
const browser = await launchChromium({ extensionDir: ext });
try {
  const page = await browser.context.newPage();
  await page.goto(server.pageUrl('count'));
  await server.waitReady('count', 60_000);
  const sw = browser.sw;
  const read = () => sw.evaluate(async () => {
    const h = /** @type {any} */ (globalThis).__corsLens;
    await h.ready();
    await h.flush();
    return h.storageCalls();
  });
  for (let round = 0; round <= rounds; round++) {
    const before = await read();
    const r = await server.runJob('count', { tag: `count-${round}`, calls: CALLS, wave: WAVE, failEvery: FAIL_EVERY }, 90_000);
    // Let the last batched writes happen (flush interval 250 ms, an open chunk waits one more).
    await new Promise((res) => setTimeout(res, 1000));
    const after = await read();
    /** @type {Record<string, number>} */
    const line = { round, ok: r.ok, failed: r.failed };
    // Counts per batch, and the characters written per kind of key (persist.ts `calls`).
    for (const k of Object.keys(after)) line[k === 'through' ? 'writtenThrough' : k] = after[k] - (before[k] ?? 0);
    console.log(`${round === 0 ? 'warm-up ' : ''}${JSON.stringify(line)}`);
  }
} finally {
  server.stop('count');
  await browser.close();
  await server.close();
}
