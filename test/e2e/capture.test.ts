/**
 * First end-to-end proof (issue 2): the BUILT extension, loaded into real Chromium and real Firefox,
 * sees a page's preflighted PUT with a custom header — the OPTIONS preflight with its
 * Access-Control-Request-* headers and the PUT itself — in the same tab.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { startPlayground } from '../playground/server.mjs';
import { launchChromium, launchFirefox } from '../harness/launch.mjs';
import { startCollector } from '../harness/collector.mjs';
import type { ObservedRequest } from '../../src/core/model.ts';
import { headerGet } from '../../src/core/model.ts';

const root = resolve(import.meta.dirname, '../..');
type Playground = Awaited<ReturnType<typeof startPlayground>>;

/** A passing preflighted PUT with a custom header, whatever the catalogue calls it. */
function preflightedPutScenario(pg: Playground): { id: string; header: string } {
  for (const s of pg.scenarios) {
    const headers = Array.isArray(s.request.headers) ? s.request.headers : Object.entries(s.request.headers);
    const custom = headers.find(([n]) => n.toLowerCase().startsWith('x-'));
    const allowsOrigin = s.preflight.headers.some(([n]) => n.toLowerCase() === 'access-control-allow-origin');
    if (s.request.method === 'PUT' && custom && s.preflight.status >= 200 && s.preflight.status < 300 && allowsOrigin && s.request.target === 'api' && !s.request.sandboxed && !s.response.redirectTo && s.request.credentials !== 'include' && (s.request.repeat ?? 1) === 1) {
      return { id: s.id, header: custom[0].toLowerCase() };
    }
  }
  throw new Error('the playground catalogue has no passing preflighted PUT with a custom header');
}

/** Asserts what the background must have seen for one run of the scenario. */
function expectPreflightAndPut(seen: ObservedRequest[], scenarioPath: string, header: string): void {
  const mine = seen.filter((r) => r.hops[0]!.url.includes(scenarioPath));
  const preflight = mine.find((r) => r.hops[0]!.method === 'OPTIONS');
  const put = mine.find((r) => r.hops[0]!.method === 'PUT');
  expect(preflight, 'the OPTIONS preflight was captured').toBeDefined();
  expect(put, 'the PUT was captured').toBeDefined();
  const acrm = headerGet(preflight!.hops[0]!.requestHeaders, 'access-control-request-method');
  const acrh = headerGet(preflight!.hops[0]!.requestHeaders, 'access-control-request-headers');
  expect(acrm).toBe('PUT');
  expect(acrh?.split(',').map((h) => h.trim())).toContain(header);
  expect(headerGet(preflight!.hops[0]!.requestHeaders, 'origin')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(preflight!.tabId).not.toBeNull();
  expect(put!.tabId).toBe(preflight!.tabId);
  expect(put!.outcome).toEqual({ outcome: 'completed' });
  expect(put!.hops[0]!.status).toBe(200);
}

describe('the built extension observes a preflighted PUT', () => {
  let pg: Playground;
  beforeAll(async () => {
    pg = await startPlayground({ ports: { page: 0, api: 0, third: 0 }, quiet: true });
  });
  afterAll(async () => {
    await pg?.close();
  });

  it('in Chromium (dist/chrome, playwright-core)', async () => {
    const { id, header } = preflightedPutScenario(pg);
    const browser = await launchChromium({ extensionDir: resolve(root, 'dist/chrome') });
    try {
      const page = await browser.context.newPage();
      await page.goto(pg.pageOrigin + '/');
      const result = await page.evaluate((sid) => (window as unknown as { corsLensPlayground: { run(id: string): Promise<{ ok: boolean }> } }).corsLensPlayground.run(sid), id);
      expect(result.ok).toBe(true);
      const sw = browser.sw!;
      let seen: ObservedRequest[] = [];
      for (let i = 0; i < 50; i++) {
        seen = (await sw.evaluate(() => (globalThis as unknown as { __corsLens: { finished(): unknown } }).__corsLens.finished())) as ObservedRequest[];
        if (seen.filter((r) => r.hops[0]!.url.includes(`/s/${id}/`)).length >= 2) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expectPreflightAndPut(seen, `/s/${id}/`, header);
      const tabIds = (await sw.evaluate(async (url) => (await chrome.tabs.query({ url })).map((t) => t.id), pg.pageOrigin + '/*')) as number[];
      expect(tabIds).toContain(seen.find((r) => r.hops[0]!.url.includes(`/s/${id}/`))!.tabId);
    } finally {
      await browser.close();
    }
  });

  it('in Firefox (dist-test/firefox over WebDriver BiDi, reported to the loopback collector)', async () => {
    const { id, header } = preflightedPutScenario(pg);
    const collector = await startCollector();
    const browser = await launchFirefox({ extensionDir: resolve(root, 'dist-test/firefox') });
    try {
      const page = await browser.browser.newPage();
      await page.goto(pg.pageOrigin + '/');
      const result = await page.evaluate((sid: string) => (window as unknown as { corsLensPlayground: { run(id: string): Promise<{ ok: boolean }> } }).corsLensPlayground.run(sid), id);
      expect(result.ok).toBe(true);
      const mine = (recs: { kind: string; request?: ObservedRequest }[]) =>
        recs.filter((r) => r.kind === 'request' && r.request!.hops[0]!.url.includes(`/s/${id}/`));
      await collector.waitFor((recs: { kind: string; request?: ObservedRequest }[]) => (mine(recs).length >= 2 ? mine(recs) : null), 20_000);
      expectPreflightAndPut(mine(collector.records).map((r) => r.request!), `/s/${id}/`, header);
    } finally {
      await browser.close();
      await collector.close();
    }
  });
});
