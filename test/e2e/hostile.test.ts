/**
 * Hostile header values live (issue 7 item 2): a page fetches, cross-origin, responses whose
 * headers carry markup, script break-outs, `javascript:` URLs, control characters, non-ASCII,
 * 200 KB and 1 MB values and 3,000 header lines (test/harness/hostile-server.mjs). The built
 * extension captures them; then the panel and the popup, opened as extension pages with
 * ?tabId=N, show them. Asserted on our pages: no dialog, no node injected from a payload, no
 * console error or page error (a blocked inline handler would log a CSP violation), and the
 * payload text visible as text. The panel's import of a broken file afterwards shows its error
 * and keeps the live rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../harness/launch.mjs';
import { ALL_PATHS, HOSTILE_VALUES, VISIBLE_PAYLOADS, startHostileServer } from '../harness/hostile-server.mjs';

const root = resolve(import.meta.dirname, '../..');
const results = resolve(root, 'test-results');
type Launched = Awaited<ReturnType<typeof launchChromium>>;
type Hostile = Awaited<ReturnType<typeof startHostileServer>>;
interface CorsLensHook {
  entries(tabId: number): { request: { hops: { url: string }[] }; cors: { verdict: string } }[];
}

let browser: Launched;
let server: Hostile;
let tabId = -1;
let captured = 0;
const problems: string[] = [];

/** Records every dialog, console error and page error of one of our pages. */
function watch(page: Page, name: string): void {
  page.on('dialog', (d) => {
    problems.push(`${name}: dialog ${d.type()} "${d.message()}"`);
    void d.dismiss().catch(() => undefined);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${name}: console error ${m.text().slice(0, 200)}`);
  });
  page.on('pageerror', (e) => problems.push(`${name}: page error ${e.message.slice(0, 200)}`));
}

/** Nodes a payload would have created if it had been parsed as HTML (empty = none). */
async function injected(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll('*'))) {
      for (const a of Array.from(el.attributes)) if (/^on/i.test(a.name)) out.push(`<${el.tagName.toLowerCase()} ${a.name}>`);
      if (el instanceof HTMLAnchorElement && /^\s*javascript:/i.test(el.getAttribute('href') ?? '')) out.push('<a href=javascript:>');
    }
    for (const el of Array.from(document.querySelectorAll('iframe, object, embed, svg[onload], img[src="x"]'))) out.push(`<${el.tagName.toLowerCase()}>`);
    for (const s of Array.from(document.querySelectorAll('script'))) if (!s.src) out.push('<script> inline');
    for (const s of Array.from(document.querySelectorAll('style'))) if (s.textContent?.includes('leak')) out.push('<style> from a payload');
    return out;
  });
}

beforeAll(async () => {
  mkdirSync(results, { recursive: true });
  server = await startHostileServer();
  browser = await launchChromium({ extensionDir: resolve(root, 'dist/chrome'), viewport: { width: 1280, height: 800 } });
  const page = await browser.context.newPage();
  watchPageDialogs(page);
  await page.goto(`${server.pageOrigin}/`);
  await page.waitForFunction(() => document.title === 'hostile page ready');
  tabId = (await browser.sw!.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id ?? -1, `${server.pageOrigin}/*`)) as number;
  expect(tabId).toBeGreaterThan(0);
  const fetched = (await page.evaluate((paths) => (window as unknown as { hostile: { runAll(p: unknown): Promise<{ path: string; ok: boolean }[]> } }).hostile.runAll(paths), ALL_PATHS)) as { path: string; ok: boolean }[];
  expect(fetched).toHaveLength(ALL_PATHS.length);
  // Wait until the background holds one entry per request the page made (preflights come on top).
  const deadline = Date.now() + 30_000;
  for (;;) {
    const entries = (await browser.sw!.evaluate((t) => (globalThis as unknown as { __corsLens: CorsLensHook }).__corsLens.entries(t), tabId)) as ReturnType<CorsLensHook['entries']>;
    captured = entries.length;
    const urls = new Set(entries.map((e) => new URL(e.request.hops[0]!.url).pathname));
    if (ALL_PATHS.every((p) => urls.has(p.path))) break;
    if (Date.now() > deadline) throw new Error(`the background captured ${captured} entries; missing ${ALL_PATHS.filter((p) => !urls.has(p.path)).map((p) => p.path).join(', ')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  console.log(`[hostile] ${ALL_PATHS.length} hostile requests (${HOSTILE_VALUES.length} payloads × 3 places + 6 special), ${captured} entries captured`);
});

/** The hostile page itself may do what it likes, but it must not get a dialog out of us either. */
function watchPageDialogs(page: Page): void {
  page.on('dialog', (d) => {
    problems.push(`hostile page: dialog "${d.message()}"`);
    void d.dismiss().catch(() => undefined);
  });
}

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('hostile header values in the panel and the popup (Chromium, dist/chrome)', () => {
  it('the panel shows every hostile exchange as text: no dialog, no injected node, no console error', async () => {
    const panel = await browser.context.newPage();
    watch(panel, 'panel');
    await panel.goto(browser.extensionUrl(`src/devtools/panel.html?tabId=${tabId}&theme=light`));
    const grid = panel.getByRole('grid', { name: 'Cross-origin requests' });
    // Every hostile request is a row (the panel leaves out the page's own document load).
    await expect.poll(async () => Number(await grid.getAttribute('aria-rowcount')), { timeout: 20_000 }).toBeGreaterThan(ALL_PATHS.length);
    const filter = panel.getByLabel('Filter by text');
    const detail = panel.getByRole('complementary', { name: 'Exchange detail' });

    // Select every hostile row in turn (the filter narrows the list to one URL).
    for (const p of ALL_PATHS) {
      await filter.fill(p.path);
      const row = grid.locator('.rows [role=row]').first();
      await row.waitFor({ timeout: 10_000 });
      await row.click();
      await detail.waitFor();
      expect(await injected(panel), p.path).toEqual([]);
    }
    // The payloads that a CORS check reports are shown as text, exactly.
    for (const [i, p] of HOSTILE_VALUES.entries()) {
      if (!VISIBLE_PAYLOADS.includes(p)) continue;
      await filter.fill(`/h/acao/${i}`);
      await grid.locator('.rows [role=row]').first().click();
      await expect.poll(() => detail.textContent(), { timeout: 10_000 }).toContain(p.value);
    }
    await filter.fill('/h/acao/0');
    await grid.locator('.rows [role=row]').first().click();
    await panel.screenshot({ path: join(results, 'hostile-panel.png') });
    await filter.fill('');
    expect(await injected(panel)).toEqual([]);
    expect(problems).toEqual([]);
    await panel.close();
  });

  it('the popup lists the hostile failures as text: no dialog, no injected node, no console error', async () => {
    const popup = await browser.context.newPage();
    watch(popup, 'popup');
    await popup.setViewportSize({ width: 380, height: 600 });
    await popup.goto(browser.extensionUrl(`src/popup/popup.html?tabId=${tabId}`));
    await expect.poll(() => popup.locator('.p-fails li').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    const text = (await popup.locator('body').textContent()) ?? '';
    // The popup's top failures quote the first payload (as text; the popup may clamp it visually).
    expect(text).toContain(`'<img src=x`);
    expect(text).toContain('/h/acao/0');
    expect(await injected(popup)).toEqual([]);
    await popup.screenshot({ path: join(results, 'hostile-popup.png') });
    expect(problems).toEqual([]);
    await popup.close();
  });

  it('importing a broken file into the panel shows the error and keeps the live rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cors-lens-hostile-'));
    try {
      const panel = await browser.context.newPage();
      watch(panel, 'panel (import)');
      await panel.goto(browser.extensionUrl(`src/devtools/panel.html?tabId=${tabId}&theme=dark`));
      const grid = panel.getByRole('grid', { name: 'Cross-origin requests' });
      await expect.poll(async () => Number(await grid.getAttribute('aria-rowcount')), { timeout: 20_000 }).toBeGreaterThan(ALL_PATHS.length);
      const before = await grid.getAttribute('aria-rowcount');
      const files: [string, string][] = [
        ['not-json.har', '<img src=x onerror=alert(20)>'],
        ['truncated.har', '{"log":{"version":"1.2","entries":[{"startedDateTime":"2026-'],
        ['wrong-types.har', '{"log":{"entries":[{"startedDateTime":"<script>alert(21)</script>","request":{},"response":{}}]}}'],
      ];
      for (const [name, content] of files) {
        const file = join(dir, name);
        writeFileSync(file, content);
        await panel.getByLabel('Import HAR file').setInputFiles(file);
        const alert = panel.getByRole('alert');
        await expect.poll(() => alert.textContent(), { timeout: 10_000 }).toContain(name);
        expect(await grid.getAttribute('aria-rowcount')).toBe(before);
        expect(await injected(panel)).toEqual([]);
      }
      expect(problems).toEqual([]);
      await panel.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
