/**
 * Through the REAL DevTools (issue 5; recipe in browser-facts §D): Chromium with
 * --auto-open-devtools-for-tabs, driven over the DevTools Protocol. Proves the "CORS" panel
 * appears in DevTools, finds its tab through chrome.devtools.inspectedWindow (no ?tabId), and
 * lists the page's live cross-origin traffic.
 *
 * Selecting the panel uses a DevTools-frontend internal (InspectorView.showPanel), which may
 * change between Chromium versions: if it breaks, the error says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { startPlayground } from '../playground/server.mjs';
import { CHROMIUM_FLAGS } from '../harness/launch.mjs';
import { findBrowsers } from '../../scripts/browsers.mjs';

const root = resolve(import.meta.dirname, '../..');
const ext = resolve(root, 'dist/chrome');
type Playground = Awaited<ReturnType<typeof startPlayground>>;
type Msg = { id?: number; method?: string; params?: Record<string, unknown>; sessionId?: string; result?: unknown; error?: { message: string } };
interface TargetInfo {
  targetId: string;
  type: string;
  url: string;
}

/** A minimal flat-mode CDP client over --remote-debugging-pipe (fd 3 in, fd 4 out, NUL-separated JSON). */
class Cdp {
  private next = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  targets = new Map<string, TargetInfo>();
  constructor(private proc: ChildProcess) {
    let buf = '';
    const reader = proc.stdio[4] as Readable;
    reader.setEncoding('utf8');
    reader.on('data', (chunk: string) => {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\0')) >= 0) {
        const m = JSON.parse(buf.slice(0, i)) as Msg;
        buf = buf.slice(i + 1);
        if (m.id !== undefined) {
          const p = this.pending.get(m.id);
          this.pending.delete(m.id);
          if (m.error) p?.reject(new Error(m.error.message));
          else p?.resolve(m.result);
        } else if (m.method === 'Target.targetCreated' || m.method === 'Target.targetInfoChanged') {
          const t = (m.params as { targetInfo: TargetInfo }).targetInfo;
          this.targets.set(t.targetId, t);
        }
      }
    });
  }
  send<T = Record<string, unknown>>(method: string, params: object = {}, sessionId?: string): Promise<T> {
    const id = this.next++;
    (this.proc.stdio[3] as Writable).write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`CDP ${method} timed out`)), 30_000);
      this.pending.set(id, { resolve: (v) => (clearTimeout(timer), resolve(v as T)), reject: (e) => (clearTimeout(timer), reject(e)) });
    });
  }
  async evaluate<T>(sessionId: string, expression: string): Promise<T> {
    const r = await this.send<{ result: { value: T }; exceptionDetails?: { text: string; exception?: { description?: string } } }>('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId);
    if (r.exceptionDetails) throw new Error(`${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value;
  }
  async attach(targetId: string): Promise<string> {
    return (await this.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true })).sessionId;
  }
  async waitTarget(pred: (t: TargetInfo) => boolean, what: string, ms = 30_000): Promise<TargetInfo> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const found = [...this.targets.values()].find(pred);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`no ${what} target; saw: ${[...this.targets.values()].map((t) => `${t.type} ${t.url}`).join(', ')}`);
  }
}

let pg: Playground;
let proc: ChildProcess;
let cdp: Cdp;
let userDataDir: string;

beforeAll(async () => {
  pg = await startPlayground({ ports: { page: 0, api: 0, third: 0 }, quiet: true });
  userDataDir = mkdtempSync(join(tmpdir(), 'cors-lens-devtools-'));
  const exe = findBrowsers().chromium;
  if (!exe) throw new Error('chromium not found: run node scripts/browsers.mjs --ensure');
  proc = spawn(
    exe,
    [...CHROMIUM_FLAGS, '--headless=new', '--remote-debugging-pipe', '--auto-open-devtools-for-tabs', `--user-data-dir=${userDataDir}`, `--disable-extensions-except=${ext}`, `--load-extension=${ext}`, '--window-size=1280,900', 'about:blank'],
    { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] },
  );
  cdp = new Cdp(proc);
  await cdp.send('Target.setDiscoverTargets', { discover: true });
});

afterAll(async () => {
  if (proc && proc.exitCode === null) {
    const exited = new Promise((r) => proc.once('exit', r));
    await cdp?.send('Browser.close').catch(() => undefined);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  await pg?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

describe('the CORS panel inside real DevTools (Chromium)', () => {
  it('appears, follows the inspected tab and lists live traffic', async () => {
    const sw = await cdp.waitTarget((t) => t.type === 'service_worker' && t.url.startsWith('chrome-extension://'), 'extension service worker');
    const extId = new URL(sw.url).host;
    const page = await cdp.waitTarget((t) => t.type === 'page' && t.url === 'about:blank', 'inspected page');
    const pageSession = await cdp.attach(page.targetId);
    await cdp.send('Page.enable', {}, pageSession);
    await cdp.send('Page.navigate', { url: `${pg.pageOrigin}/` }, pageSession);
    await cdp.evaluate(pageSession, `new Promise((r) => { const t = setInterval(() => { if (window.corsLensPlayground) { clearInterval(t); r(true); } }, 50); })`);
    // A few scenarios are enough to prove live traffic reaches the panel.
    await cdp.evaluate(pageSession, `(async () => { const p = window.corsLensPlayground; for (const s of p.scenarios.slice(0, 12)) await p.run(s.id); return true; })()`);

    const front = await cdp.waitTarget((t) => t.url.startsWith('devtools://devtools/'), 'DevTools frontend');
    const frontSession = await cdp.attach(front.targetId);
    const panelId = `chrome-extension://${extId}CORS`;
    // The extension's panel is added to DevTools' tab strip once its devtools_page has run.
    const shown = await cdp.evaluate<string>(
      frontSession,
      `(async () => {
        const legacy = await import('./ui/legacy/legacy.js');
        let iv;
        // The frontend may still be starting (its settings storage is not ready yet).
        for (let i = 0; i < 200 && !iv; i++) {
          try { iv = legacy.InspectorView.InspectorView.instance(); } catch { await new Promise((r) => setTimeout(r, 100)); }
        }
        if (!iv) return 'DevTools frontend never initialised';
        const ids = () => iv.tabbedPane?.tabIds?.() ?? [];
        for (let i = 0; i < 200 && !ids().includes(${JSON.stringify(panelId)}); i++) await new Promise((r) => setTimeout(r, 100));
        if (!ids().includes(${JSON.stringify(panelId)})) return 'missing; tabs: ' + ids().join(', ');
        await iv.showPanel(${JSON.stringify(panelId)});
        return 'shown';
      })()`,
    );
    expect(shown).toBe('shown');
    const panel = await cdp.waitTarget((t) => t.url.startsWith(`chrome-extension://${extId}/src/devtools/panel.html`), 'CORS panel');
    expect(panel.url).not.toContain('tabId=');
    const panelSession = await cdp.attach(panel.targetId);
    const rows = await cdp.evaluate<number>(
      panelSession,
      `new Promise((resolve, reject) => {
        const deadline = Date.now() + 20000;
        const t = setInterval(() => {
          const n = document.querySelectorAll('.rows [role=row]').length;
          if (n > 3) { clearInterval(t); resolve(n); }
          else if (Date.now() > deadline) { clearInterval(t); reject(new Error('panel rows: ' + n + '; banner: ' + (document.querySelector('.banners')?.textContent ?? ''))); }
        }, 100);
      })`,
    );
    expect(rows).toBeGreaterThan(3);
    const text = await cdp.evaluate<string>(panelSession, `document.querySelector('.rows').textContent`);
    expect(text).toMatch(/pass|fail/);

    // Let the panel frame paint before the frontend is captured.
    await cdp.evaluate(panelSession, 'new Promise((r) => requestAnimationFrame(() => setTimeout(r, 500)))');
    mkdirSync(resolve(root, 'docs/screenshots'), { recursive: true });
    const shot = await cdp.send<{ data: string }>('Page.captureScreenshot', { format: 'png' }, frontSession);
    writeFileSync(resolve(root, 'docs/screenshots/devtools-panel.png'), Buffer.from(shot.data, 'base64'));
  });
});
