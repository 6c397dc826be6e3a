/**
 * Abuse of our own channels (issue 7 item 6), in Chromium with the built extension:
 * - a web page cannot reach the background (no `externally_connectable`: no `chrome.runtime`);
 * - another installed extension cannot either (our background listens to onMessage/onConnect
 *   only, never the External variants, and checks the sender);
 * - malformed one-shot messages and port messages from our own pages get `{ok: false, error}` /
 *   `{type: 'error'}` replies, never a crash: the worker answers normally afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../harness/launch.mjs';
import { startHostileServer } from '../harness/hostile-server.mjs';

const root = resolve(import.meta.dirname, '../..');
const dist = resolve(root, 'dist/chrome');
type Launched = Awaited<ReturnType<typeof launchChromium>>;
type Reply = { ok: true; value: unknown } | { ok: false; error: string };

let browser: Launched;
let server: Awaited<ReturnType<typeof startHostileServer>>;
let evilDir: string;
let evilId = '';
let ext: Page;
let web: Page;
let tabId = -1;

/** A second extension, installed next to ours, that tries to talk to CORS Lens. */
function writeEvilExtension(dir: string): void {
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ manifest_version: 3, name: 'evil neighbour', version: '1.0', background: { service_worker: 'sw.js' } }));
  writeFileSync(join(dir, 'sw.js'), '// nothing: the test drives this extension from its worker\n');
}

beforeAll(async () => {
  server = await startHostileServer();
  evilDir = mkdtempSync(join(tmpdir(), 'cors-lens-evil-'));
  writeEvilExtension(evilDir);
  // Both extensions: the launcher's flags name ours; these later ones (last wins) name both.
  browser = await launchChromium({ extensionDir: dist, args: [`--disable-extensions-except=${dist},${evilDir}`, `--load-extension=${dist},${evilDir}`] });
  const deadline = Date.now() + 20_000;
  while (!evilId) {
    const evil = browser.context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://') && !w.url().includes(browser.extensionId!));
    if (evil) evilId = new URL(evil.url()).host;
    else if (Date.now() > deadline) throw new Error('the second extension did not start');
    else await new Promise((r) => setTimeout(r, 200));
  }
  web = await browser.context.newPage();
  await web.goto(`${server.pageOrigin}/`);
  await web.waitForFunction(() => document.title === 'hostile page ready');
  tabId = (await browser.sw!.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id ?? -1, `${server.pageOrigin}/*`)) as number;
  await web.evaluate(() => (window as unknown as { hostile: { burst(n: number, p: number, t: string): Promise<unknown> } }).hostile.burst(5, 2, 'msg'));
  ext = await browser.context.newPage();
  await ext.goto(browser.extensionUrl(`src/popup/popup.html?tabId=${tabId}`));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (evilDir) rmSync(evilDir, { recursive: true, force: true });
});

async function send(msg: unknown): Promise<Reply> {
  return (await ext.evaluate((m) => chrome.runtime.sendMessage(m), msg)) as Reply;
}

describe('who can reach the background', () => {
  it('a web page has no chrome.runtime to message with', async () => {
    const what = await web.evaluate((id) => {
      const c = (globalThis as { chrome?: { runtime?: { sendMessage?: unknown } } }).chrome;
      if (!c || !c.runtime || typeof c.runtime.sendMessage !== 'function') return 'unavailable';
      try {
        (c.runtime.sendMessage as (id: string, m: unknown) => void)(id, { type: 'export', tabId: 1 });
        return 'sent';
      } catch (e) {
        return `threw: ${String(e)}`;
      }
    }, browser.extensionId!);
    expect(what).toBe('unavailable');
  });

  it('another extension gets no answer, neither by message nor by port', async () => {
    const evil = browser.context.serviceWorkers().find((w) => w.url().includes(evilId))!;
    const result = (await evil.evaluate(async ({ id, tab }) => {
      const out: string[] = [];
      try {
        const r = await chrome.runtime.sendMessage(id, { type: 'export', tabId: tab, includeSecrets: true });
        out.push(`message answered: ${JSON.stringify(r).slice(0, 80)}`);
      } catch (e) {
        out.push(`message refused: ${String(e).slice(0, 80)}`);
      }
      const got = await new Promise<string>((ok) => {
        const port = chrome.runtime.connect(id, { name: `cors-lens-panel:${tab}` });
        const timer = setTimeout(() => ok('port silent'), 2000);
        port.onMessage.addListener((m) => {
          clearTimeout(timer);
          ok(`port answered: ${JSON.stringify(m).slice(0, 80)}`);
        });
        port.onDisconnect.addListener(() => {
          clearTimeout(timer);
          ok('port closed');
        });
      });
      out.push(got);
      return out;
    }, { id: browser.extensionId!, tab: tabId })) as string[];
    expect(result[0]).toMatch(/^message refused/);
    expect(result[1]).toMatch(/^port (closed|silent)$/);
  });
});

describe('malformed messages from our own pages are rejected as data, and the worker keeps working', () => {
  const malformed: [string, unknown][] = [
    ['null', null],
    ['a number', 42],
    ['a string', 'export'],
    ['an array', [{ type: 'export', tabId: 1 }]],
    ['an empty object', {}],
    ['an unknown type', { type: 'rm -rf' }],
    ['a type that is an object', { type: { toString: 'export' } }],
    ['export without tabId', { type: 'export' }],
    ['export with a string tabId', { type: 'export', tabId: '1' }],
    ['export with a negative tabId', { type: 'export', tabId: -5 }],
    ['export with a fractional tabId', { type: 'export', tabId: 1.5 }],
    ['export with an unsafe integer tabId', { type: 'export', tabId: 2 ** 60 }],
    ['export with includeSecrets "yes"', { type: 'export', tabId: 1, includeSecrets: 'yes' }],
    ['summary with a markup tabId', { type: 'summary', tabId: '<img src=x onerror=alert(1)>' }],
    ['set-settings without settings', { type: 'set-settings' }],
    ['set-settings with an unknown key', { type: 'set-settings', settings: { __proto__: { exportSecrets: true }, evil: 1 } }],
    ['set-settings exportSecrets "true"', { type: 'set-settings', settings: { exportSecrets: 'true' } }],
    ['set-settings maxEntriesPerTab 1e9', { type: 'set-settings', settings: { maxEntriesPerTab: 1e9 } }],
    ['set-settings maxEntriesPerTab 0', { type: 'set-settings', settings: { maxEntriesPerTab: 0 } }],
    ['a 4 MB string type', { type: 'x'.repeat(4 * 1024 * 1024) }],
  ];

  it.each(malformed)('%s → {ok: false, error}', async (_name, msg) => {
    const r = await send(msg);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(typeof r.error).toBe('string');
      expect(r.error).not.toMatch(/[\r\n]/);
      expect(r.error.length).toBeLessThan(300);
    }
  });

  it('deeply nested messages (built in the page: Playwright cannot pass them as arguments) → {ok: false, error}', async () => {
    const replies = (await ext.evaluate(async () => {
      const out: unknown[] = [];
      for (const depth of [200, 1000]) {
        let o: unknown = 1;
        for (let i = 0; i < depth; i++) o = { type: o };
        try {
          out.push(await chrome.runtime.sendMessage(o));
        } catch (e) {
          // Chromium may refuse to serialise it at all: then it never reached the worker.
          out.push({ ok: false, error: `not sent: ${String(e).slice(0, 100)}` });
        }
      }
      return out;
    })) as Reply[];
    for (const r of replies) expect(r.ok).toBe(false);
  });

  it('settings were not changed by any of them, and the worker still answers and captures', async () => {
    const s = await send({ type: 'get-settings' });
    expect(s).toEqual({ ok: true, value: { preserveLog: false, maxEntriesPerTab: 5000, exportSecrets: false } });
    const before = (await send({ type: 'summary', tabId })) as { ok: true; value: { counters: { crossOrigin: number } } };
    expect(before.ok).toBe(true);
    await web.evaluate(() => (window as unknown as { hostile: { burst(n: number, p: number, t: string): Promise<unknown> } }).hostile.burst(3, 1, 'after'));
    await expect
      .poll(async () => ((await send({ type: 'summary', tabId })) as { value: { counters: { crossOrigin: number } } }).value.counters.crossOrigin, { timeout: 10_000 })
      .toBe(before.value.counters.crossOrigin + 3);
  });

  it('malformed port messages get an error message back; the port keeps working', async () => {
    const got = (await ext.evaluate(async (tab) => {
      const port = chrome.runtime.connect({ name: `cors-lens-panel:${tab}` });
      const seen: { type: string; message?: string }[] = [];
      port.onMessage.addListener((m: { type: string; message?: string }) => seen.push(m));
      await new Promise((r) => setTimeout(r, 500));
      for (const m of [null, 7, 'clear', { type: 'nope' }, { type: 'set-settings', settings: { maxEntriesPerTab: 'many' } }, { type: 'set-settings', settings: [] }]) port.postMessage(m);
      await new Promise((r) => setTimeout(r, 1000));
      port.disconnect();
      return seen.map((m) => ({ type: m.type, message: m.message }));
    }, tabId)) as { type: string; message?: string }[];
    expect(got[0]!.type).toBe('snapshot');
    const errors = got.filter((m) => m.type === 'error');
    expect(errors).toHaveLength(6);
    for (const e of errors) expect(e.message).toMatch(/^[^\n]{1,300}$/);
    // Ports named for no tab, or for a bogus tab, are ignored (no snapshot, no crash).
    const bogus = (await ext.evaluate(async () => {
      const out: string[] = [];
      for (const name of ['cors-lens-panel:abc', 'cors-lens-panel:', 'something-else', 'cors-lens-panel:1e400']) {
        const port = chrome.runtime.connect({ name });
        port.onMessage.addListener((m: { type: string }) => out.push(`${name}: ${m.type}`));
        port.postMessage({ type: 'clear' });
      }
      await new Promise((r) => setTimeout(r, 1000));
      return out;
    })) as string[];
    expect(bogus).toEqual([]);
    expect((await send({ type: 'get-settings' })).ok).toBe(true);
  });
});
