/**
 * The panel and popup against the REAL background (issue 5, real-browser tests): run the CORS
 * playground in Chromium with the built extension, then open the panel and the popup as extension
 * pages with ?tabId=N and check what a user sees for live traffic.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { startPlayground } from '../playground/server.mjs';
import { launchChromium } from '../harness/launch.mjs';

const root = resolve(import.meta.dirname, '../..');
const shots = resolve(root, 'docs/screenshots');
type Launched = Awaited<ReturnType<typeof launchChromium>>;
type Playground = Awaited<ReturnType<typeof startPlayground>>;

let browser: Launched;
let pg: Playground;
let tabId: number;

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  pg = await startPlayground({ ports: { page: 0, api: 0, third: 0 }, quiet: true });
  browser = await launchChromium({ extensionDir: resolve(root, 'dist/chrome'), viewport: { width: 1280, height: 760 } });
  const page = await browser.context.newPage();
  await page.goto(pg.pageOrigin + '/');
  await page.evaluate(() => (window as unknown as { corsLensPlayground: { runAll(): Promise<unknown> } }).corsLensPlayground.runAll());
  tabId = (await browser.sw!.evaluate(async (url) => (await chrome.tabs.query({ url }))[0]?.id ?? -1, pg.pageOrigin + '/*')) as number;
  expect(tabId).toBeGreaterThan(0);
});

afterAll(async () => {
  await browser?.close();
  await pg?.close();
});

describe('live traffic from the playground', () => {
  it('the panel lists the tab’s exchanges with verdicts and explains a failure', async () => {
    const page = await browser.context.newPage();
    await page.goto(browser.extensionUrl(`src/devtools/panel.html?tabId=${tabId}&theme=light`));
    const grid = page.getByRole('grid', { name: 'Cross-origin requests' });
    await expect.poll(() => grid.locator('.rows [role=row]').count(), { timeout: 20_000 }).toBeGreaterThan(10);
    await expect.poll(() => page.locator('.rows .badge-fail').count()).toBeGreaterThan(0);
    await expect.poll(() => page.locator('.rows .badge-pass').count()).toBeGreaterThan(0);
    const counters = await page.getByRole('status', { name: 'Counters' }).textContent();
    expect(counters).toMatch(/[1-9]\d* cross-origin/);
    await page.screenshot({ path: join(shots, 'panel-live.png') });

    await grid.locator('.rows [role=row].row-fail').first().click();
    const detail = page.getByRole('complementary', { name: 'Exchange detail' });
    const codes = await detail.locator('.codes').textContent();
    expect(codes).toMatch(/Chromium[A-Z][A-Za-z]+/);
    expect((await detail.locator('.verdict-msg').textContent())!.length).toBeGreaterThan(10);
    await page.close();
  });

  it('the popup summarises the tab from the background and exports its HAR', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 360, height: 560 });
    await page.goto(browser.extensionUrl(`src/popup/popup.html?tabId=${tabId}`));
    const counts = page.getByLabel('Counts');
    await expect.poll(() => counts.textContent()).toMatch(/Cross-origin calls[1-9]/);
    expect(await page.locator('.p-fails li').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(shots, 'popup-live.png') });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export HAR' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.har$/);
    const body = JSON.parse(await (await import('node:fs/promises')).readFile((await download.path())!, 'utf8')) as { log: { entries: { _cors?: unknown }[] } };
    expect(body.log.entries.length).toBeGreaterThan(0);
    expect(body.log.entries.every((e) => e._cors)).toBe(true);
    await page.close();
  });
});
