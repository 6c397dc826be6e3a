/**
 * The popup and panel pages load in Firefox ESR and show live traffic from the real background
 * (issue 5: "the panel and popup also load in Firefox ... by whatever Firefox automation can
 * reach").
 *
 * WebDriver BiDi and Marionette both refuse to navigate a tab to moz-extension:// ("not allowed
 * in this context", browser-facts §E). Marionette with -remote-allow-system-access can run script
 * in the browser's chrome context, which opens the page as the browser itself would (a trusted
 * load), and then read the page in the content context. This file carries the few lines of
 * Marionette protocol it needs (length-prefixed JSON over TCP; no geckodriver on Debian).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { startPlayground } from '../playground/server.mjs';
import { findBrowsers } from '../../scripts/browsers.mjs';

// pngjs ships no types (and @types/pngjs is not a dependency): the three calls used, typed here.
interface PngImage {
  width: number;
  height: number;
}
const { PNG } = createRequire(import.meta.url)('pngjs') as {
  PNG: {
    new (size: { width: number; height: number }): PngImage;
    sync: { read(buf: Buffer): PngImage; write(png: PngImage): Buffer };
    bitblt(src: PngImage, dst: PngImage, srcX: number, srcY: number, width: number, height: number, deltaX: number, deltaY: number): void;
  };
};

const root = resolve(import.meta.dirname, '../..');
const shots = resolve(root, 'docs/screenshots');
const ADDON_ID = 'cors-lens@cors-lens.dev';
/** Fixed internal UUID (pref extensions.webextensions.uuids) so the test knows the page URLs. */
const UUID = randomUUID();
type Playground = Awaited<ReturnType<typeof startPlayground>>;

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

/** A Marionette session: send(command, params) → the command's value, errors as rejections. */
class Marionette {
  private buf = '';
  private id = 0;
  private readonly pending = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();
  private constructor(private readonly sock: Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => this.onData(d));
  }

  static async connect(port: number, deadlineMs: number): Promise<Marionette> {
    for (const end = Date.now() + deadlineMs; ; ) {
      try {
        const sock = await new Promise<Socket>((ok, fail) => {
          const s = connect(port, '127.0.0.1', () => ok(s));
          s.once('error', fail);
        });
        const m = new Marionette(sock);
        await new Promise((r) => setTimeout(r, 200)); // the server's hello arrives first
        return m;
      } catch (err) {
        if (Date.now() > end) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  private onData(d: string): void {
    this.buf += d;
    for (;;) {
      const colon = this.buf.indexOf(':');
      if (colon < 0) return;
      const n = Number(this.buf.slice(0, colon));
      if (this.buf.length < colon + 1 + n) return;
      const msg = JSON.parse(this.buf.slice(colon + 1, colon + 1 + n)) as unknown;
      this.buf = this.buf.slice(colon + 1 + n);
      // [1, id, error, result]; the hello ({applicationType, ...}) is not an array.
      if (!Array.isArray(msg)) continue;
      const p = this.pending.get(msg[1] as number);
      this.pending.delete(msg[1] as number);
      if (msg[2]) p?.fail(new Error(`marionette: ${JSON.stringify(msg[2]).slice(0, 300)}`));
      else p?.ok(msg[3]);
    }
  }

  send<T = unknown>(command: string, params: object = {}, timeoutMs = 30_000): Promise<T> {
    return new Promise<T>((ok, fail) => {
      const id = ++this.id;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        fail(new Error(`marionette: ${command} timed out`));
      }, timeoutMs);
      this.pending.set(id, {
        ok: (v) => {
          clearTimeout(timer);
          ok(v as T);
        },
        fail: (e) => {
          clearTimeout(timer);
          fail(e);
        },
      });
      const body = JSON.stringify([0, id, command, params]);
      this.sock.write(`${Buffer.byteLength(body)}:${body}`);
    });
  }

  /** Script in the page of the selected tab (content context). */
  async content<T>(script: string, args: unknown[] = []): Promise<T> {
    await this.send('Marionette:SetContext', { value: 'content' });
    // Re-select the tab: after a trusted load its browsing context is a new one, and a script
    // sent to the old one never answers.
    const handles = await this.send<string[] | { value: string[] }>('WebDriver:GetWindowHandles');
    const list = Array.isArray(handles) ? handles : handles.value;
    await this.send('WebDriver:SwitchToWindow', { handle: list[list.length - 1] });
    return (await this.send<{ value: T }>('WebDriver:ExecuteAsyncScript', { script, args }, 120_000)).value;
  }

  /**
   * Opens `url` as the browser itself would (allowed for moz-extension://): in the selected tab,
   * or in a new foreground tab (the last one, where `content` then runs).
   */
  async openTrusted(url: string, where: 'current' | 'tab' = 'current'): Promise<void> {
    await this.send('Marionette:SetContext', { value: 'chrome' });
    await this.send('WebDriver:ExecuteScript', {
      script: 'Services.wm.getMostRecentWindow("navigator:browser").openTrustedLinkIn(arguments[0], arguments[1], { inBackground: false }); return true;',
      args: [url, where],
    });
  }

  /** The viewport as PNG, cut to `width` CSS pixels when given (the popup is 360 px wide). */
  async screenshot(file: string, width?: number): Promise<void> {
    await this.send('Marionette:SetContext', { value: 'content' });
    const shot = await this.send<{ value: string }>('WebDriver:TakeScreenshot', { full: false });
    const png = PNG.sync.read(Buffer.from(shot.value, 'base64'));
    if (width === undefined || width >= png.width) {
      writeFileSync(file, PNG.sync.write(png));
      return;
    }
    const out = new PNG({ width, height: png.height });
    PNG.bitblt(png, out, 0, 0, width, png.height, 0, 0);
    writeFileSync(file, PNG.sync.write(out));
  }

  close(): void {
    this.sock.destroy();
  }
}

let pg: Playground;
let ff: ChildProcess;
let mn: Marionette;
let profile: string;
let tabId: number;
const ext = (path: string): string => `moz-extension://${UUID}/${path}`;

/** Polls a content script until it returns a truthy value. */
async function until<T>(what: string, script: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await mn.content<T>(script);
    if (v) return v;
    if (Date.now() > end) {
      const text = await mn.content<string>(`arguments[arguments.length - 1](location.href + ' ' + document.body.textContent.slice(0, 300));`);
      throw new Error(`timed out waiting for ${what} (tab ${tabId}); page: ${text}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  pg = await startPlayground({ ports: { page: 0, api: 0, third: 0, warm: 0 }, quiet: true });
  const firefox = findBrowsers().firefox;
  if (!firefox) throw new Error('firefox not found: run `node scripts/browsers.mjs --ensure`');
  const port = await freePort();
  profile = mkdtempSync(join(tmpdir(), 'cors-lens-ff-ui-'));
  const prefs: [string, unknown][] = [
    ['marionette.port', port],
    ['extensions.webextensions.uuids', JSON.stringify({ [ADDON_ID]: UUID })],
    // No updates, telemetry or remote services: the machine reaches no outside host.
    ['app.update.enabled', false],
    ['datareporting.policy.dataSubmissionEnabled', false],
    ['toolkit.telemetry.enabled', false],
    ['browser.shell.checkDefaultBrowser', false],
    ['browser.safebrowsing.malware.enabled', false],
    ['browser.safebrowsing.phishing.enabled', false],
    ['network.captive-portal-service.enabled', false],
    ['browser.startup.homepage_override.mstone', 'ignore'],
  ];
  writeFileSync(join(profile, 'user.js'), prefs.map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`).join('\n'));
  ff = spawn(firefox, ['--marionette', '-remote-allow-system-access', '-headless', '-no-remote', '-profile', profile, '--window-size=1280,760', 'about:blank'], { stdio: 'ignore' });
  mn = await Marionette.connect(port, 30_000);
  await mn.send('WebDriver:NewSession', { capabilities: { timeouts: { script: 120_000 } } });
  await mn.send('Addon:Install', { path: resolve(root, 'dist/firefox'), temporary: true });

  // Live traffic: the playground's scenarios in the first tab.
  await mn.send('WebDriver:Navigate', { url: pg.pageOrigin + '/' });
  await mn.content('const done = arguments[arguments.length - 1]; (window.wrappedJSObject || window).corsLensPlayground.runAll().then(() => done(true), (e) => done(String(e)));');
  // Its tab id, asked from an extension page (the popup) through the extension's own API.
  await mn.openTrusted(ext('src/popup/popup.html?tabId=0'), 'tab');
  tabId = await until<number>(
    'the playground tab id',
    `const done = arguments[arguments.length - 1];
     const w = window.wrappedJSObject || window; const b = w.browser ?? w.chrome;
     b && b.tabs ? b.tabs.query({}).then((ts) => done((ts.find((t) => t.url && t.url.startsWith(${JSON.stringify(pg.pageOrigin)})) || { id: 0 }).id)) : done(0);`,
  );
}, 240_000);

afterAll(async () => {
  mn?.close();
  if (ff && ff.exitCode === null) {
    ff.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 2000));
    if (ff.exitCode === null) ff.kill('SIGKILL');
  }
  if (profile) rmSync(profile, { recursive: true, force: true });
  await pg?.close();
});

describe('extension pages in Firefox ESR', () => {
  it('the popup shows the tab’s live counts and failing endpoints from the background', async () => {
    expect(tabId).toBeGreaterThan(0);
    await mn.openTrusted(ext(`src/popup/popup.html?tabId=${tabId}&theme=light`));
    const counts = await until<string>('the counts', `arguments[arguments.length - 1](/Cross-origin calls[1-9]/.test(document.querySelector('.p-counts')?.textContent ?? '') && document.querySelector('.p-counts').textContent);`);
    expect(counts).toMatch(/Failed[1-9]/);
    const page = await mn.content<{ fails: number; box: boolean; checked: boolean; exportBtn: boolean; alert: string | null }>(
      `arguments[arguments.length - 1]({
         fails: document.querySelectorAll('.p-fails li').length,
         box: [...document.querySelectorAll('label')].some((l) => l.textContent.trim() === 'Include cookies and Authorization in exports'),
         checked: document.querySelector('.p-check input').checked,
         exportBtn: [...document.querySelectorAll('button')].some((b) => b.textContent.trim() === 'Export HAR'),
         alert: document.querySelector('[role=alert]')?.textContent ?? null,
       });`,
    );
    expect(page).toEqual({ fails: expect.any(Number), box: true, checked: false, exportBtn: true, alert: null });
    expect(page.fails).toBeGreaterThan(0);
    await mn.screenshot(join(shots, 'popup-firefox.png'), 372);
  });

  it('the panel lists the tab’s exchanges with verdicts', async () => {
    await mn.openTrusted(ext(`src/devtools/panel.html?tabId=${tabId}&theme=light`));
    const rows = await until<number>('rows', `arguments[arguments.length - 1](document.querySelectorAll('.rows [role=row]').length);`);
    expect(rows).toBeGreaterThan(10);
    const seen = await mn.content<{ fail: number; pass: number; counters: string; alert: string | null }>(
      `arguments[arguments.length - 1]({
         fail: document.querySelectorAll('.rows .badge-fail').length,
         pass: document.querySelectorAll('.rows .badge-pass').length,
         counters: document.querySelector('[aria-label=Counters]').textContent,
         alert: document.querySelector('[role=alert]')?.textContent ?? null,
       });`,
    );
    expect(seen.fail).toBeGreaterThan(0);
    expect(seen.pass).toBeGreaterThan(0);
    expect(seen.counters).toMatch(/[1-9]\d* cross-origin/);
    expect(seen.alert).toBeNull();
    await mn.screenshot(join(shots, 'panel-firefox.png'));
  });
});
