/**
 * Privacy and permissions (issue 7 item 5), through the real extension in Chromium:
 * - the export redacts Cookie, Set-Cookie and Authorization by default, keeps them after
 *   `set-settings {exportSecrets: true}`, and an explicit `includeSecrets: false` still wins;
 *   (a page cannot make the browser send Proxy-Authorization: its redaction is covered by the
 *   writer's unit tests and by test/unit/hardening/hostile-input.test.ts's round trip);
 * - the extension sends nothing over the network: the loopback server's own log holds only the
 *   page's requests, the extension pages request only their own files, and the service worker
 *   makes no request at all;
 * - the manifest asks only for what the bundle uses, and loosens nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../harness/launch.mjs';
import { SECRETS, startHostileServer } from '../harness/hostile-server.mjs';

const root = resolve(import.meta.dirname, '../..');
const dist = resolve(root, 'dist/chrome');
type Launched = Awaited<ReturnType<typeof launchChromium>>;
type Hostile = Awaited<ReturnType<typeof startHostileServer>>;
type Reply = { ok: true; value: { har: string; count: number } } | { ok: false; error: string };
const REDACTED = '[redacted by CORS Lens]';

let browser: Launched;
let server: Hostile;
let tabId = -1;
let popup: Page;
const extensionRequests: string[] = [];
const workerRequests: string[] = [];

async function send(msg: unknown): Promise<Reply> {
  return (await popup.evaluate((m) => chrome.runtime.sendMessage(m), msg)) as Reply;
}

async function exportText(includeSecrets?: boolean): Promise<string> {
  const r = await send(includeSecrets === undefined ? { type: 'export', tabId } : { type: 'export', tabId, includeSecrets });
  if (!r.ok) throw new Error(`export failed: ${r.error}`);
  return r.value.har;
}

beforeAll(async () => {
  // Playwright reports service-worker network requests only with this switch (read at launch).
  process.env.PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS = '1';
  server = await startHostileServer();
  browser = await launchChromium({ extensionDir: dist });
  browser.context.on('request', (r) => {
    if (r.serviceWorker()) workerRequests.push(r.url());
  });
  const page = await browser.context.newPage();
  await page.goto(`${server.pageOrigin}/`);
  await page.waitForFunction(() => document.title === 'hostile page ready');
  tabId = (await browser.sw!.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id ?? -1, `${server.pageOrigin}/*`)) as number;
  const results = (await page.evaluate((auth) => (window as unknown as { hostile: { secrets(a: string): Promise<{ ok: boolean }[]> } }).hostile.secrets(auth), SECRETS.authorization)) as { ok: boolean }[];
  expect(results.map((r) => r.ok)).toEqual([true, true]);

  popup = await browser.context.newPage();
  popup.on('request', (r) => extensionRequests.push(r.url()));
  await popup.route('**/*', (route) => {
    extensionRequests.push(route.request().url());
    return route.continue();
  });
  await popup.goto(browser.extensionUrl(`src/popup/popup.html?tabId=${tabId}`));
  // Both secret exchanges (and the preflight of the second) are in the export.
  const deadline = Date.now() + 20_000;
  while (!(await exportText(true)).includes(SECRETS.authorization)) {
    if (Date.now() > deadline) throw new Error('the credentialed exchanges never reached the export');
    await new Promise((r) => setTimeout(r, 250));
  }
});

afterAll(async () => {
  if (popup) await send({ type: 'set-settings', settings: { exportSecrets: false } }).catch(() => undefined);
  await browser?.close();
  await server?.close();
});

describe('exports redact secrets unless the user opts in', () => {
  const secrets = [SECRETS.cookie, SECRETS.setCookie, SECRETS.authorization.replace('Bearer ', '')];

  it('by default: Cookie, Set-Cookie and Authorization values are redacted, the headers themselves stay', async () => {
    const har = await exportText();
    for (const s of secrets) expect(har).not.toContain(s);
    const entries = (JSON.parse(har) as { log: { entries: { request: { headers: { name: string; value: string }[] }; response: { headers: { name: string; value: string }[] } }[] } }).log.entries;
    const names = (pick: 'request' | 'response', name: string) => entries.flatMap((e) => e[pick].headers).filter((h) => h.name.toLowerCase() === name);
    for (const [pick, name] of [['request', 'cookie'], ['request', 'authorization'], ['response', 'set-cookie']] as const) {
      expect(names(pick, name).length, `${pick} ${name} lines`).toBeGreaterThan(0);
      expect(names(pick, name).every((h) => h.value === REDACTED), `${pick} ${name} redacted`).toBe(true);
    }
  });

  it('set-settings {exportSecrets: true} keeps them; an explicit includeSecrets: false still redacts', async () => {
    const on = await send({ type: 'set-settings', settings: { exportSecrets: true } });
    expect(on.ok).toBe(true);
    const har = await exportText();
    for (const s of secrets) expect(har).toContain(s);
    const forced = await exportText(false);
    for (const s of secrets) expect(forced).not.toContain(s);
    const off = await send({ type: 'set-settings', settings: { exportSecrets: false } });
    expect(off.ok).toBe(true);
    for (const s of secrets) expect(await exportText()).not.toContain(s);
  });
});

describe('the extension sends nothing over the network', () => {
  it('the server saw only the page’s own requests; extension pages fetched only their own files; the worker fetched nothing', async () => {
    // Open the panel too, and let everything settle.
    const panel = await browser.context.newPage();
    panel.on('request', (r) => extensionRequests.push(r.url()));
    await panel.goto(browser.extensionUrl(`src/devtools/panel.html?tabId=${tabId}`));
    await panel.getByRole('grid', { name: 'Cross-origin requests' }).waitFor();
    await new Promise((r) => setTimeout(r, 1000));
    await panel.close();

    const seen = server.log.map((l) => `${l.server} ${l.method} ${l.path}`);
    const expected = ['page GET /', 'api GET /secret/set', 'api OPTIONS /secret/echo', 'api GET /secret/echo'];
    expect(seen.filter((s) => s !== 'page GET /favicon.ico')).toEqual(expected);
    // Every API request came from the page (its Origin), none from the extension.
    expect(server.log.filter((l) => l.server === 'api').every((l) => l.origin === server.pageOrigin)).toBe(true);
    const own = `chrome-extension://${browser.extensionId}/`;
    expect(extensionRequests.length).toBeGreaterThan(0);
    expect(extensionRequests.filter((u) => !u.startsWith(own))).toEqual([]);
    expect(workerRequests.filter((u) => !u.startsWith(own))).toEqual([]);
  });

  it('the release bundle has no network call besides module preloading of its own files', () => {
    const dir = join(dist, 'assets');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.js'))) {
      const js = readFileSync(join(dir, f), 'utf8');
      const calls = ['XMLHttpRequest', 'WebSocket', 'sendBeacon', 'EventSource', 'RTCPeerConnection'].filter((n) => js.includes(n));
      expect(calls, f).toEqual([]);
      // The only fetch is Vite's modulepreload polyfill, which fetches the page's own module URLs.
      if (!f.startsWith('modulepreload-polyfill')) expect(/\bfetch\(/.test(js), f).toBe(false);
    }
  });
});

describe('the manifest asks only for what is used', () => {
  const manifest = JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  const bundle = readdirSync(join(dist, 'assets'))
    .filter((n) => n.endsWith('.js'))
    .map((n) => readFileSync(join(dist, 'assets', n), 'utf8'))
    .join('\n');

  it('each permission is used by the code', () => {
    // The listeners are added through a local alias of `browser.webRequest` (src/platform/listen.ts).
    const use: Record<string, RegExp> = { webRequest: /\.webRequest\b/, storage: /storage\.(session|local)/ };
    for (const p of manifest.permissions as string[]) expect(use[p], `permission ${p} has a known use`).toBeDefined();
    for (const [p, re] of Object.entries(use)) expect(re.test(bundle), `${p} used`).toBe(true);
  });

  it('nothing widens the attack surface: no external messaging, content scripts, web-accessible files or loosened CSP', () => {
    for (const key of ['externally_connectable', 'content_scripts', 'web_accessible_resources', 'content_security_policy', 'optional_permissions', 'optional_host_permissions', 'key', 'update_url']) {
      expect(manifest[key], key).toBeUndefined();
    }
  });
});
