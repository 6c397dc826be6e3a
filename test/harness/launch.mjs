/**
 * Launching the real browsers with CORS Lens loaded. Shared by the end-to-end tests, the demo and
 * the benchmarks, so every one of them drives the browsers the same way.
 *
 * Chromium: Debian's binary through playwright-core with --load-extension (browser-facts §B).
 * Firefox: Debian's firefox-esr through puppeteer-core over WebDriver BiDi, installing the add-on
 * with browser.installExtension (browser-facts §E).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findBrowsers } from '../../scripts/browsers.mjs';

/** Flags every run needs on these machines: the network is closed, so background networking
 *  (component updates, sync, safe browsing) would only produce refused connections. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** No telemetry, updates or remote settings: the machine reaches no outside host. */
export const FIREFOX_PREFS = Object.freeze({
  'app.update.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'network.captive-portal-service.enabled': false,
});

function requireBrowser(name) {
  const path = findBrowsers()[name];
  if (!path) {
    throw new Error(
      `${name} not found: run \`node scripts/browsers.mjs --ensure\` (as root on Debian it installs it), or set ${name === 'chromium' ? 'CHROMIUM_PATH' : 'FIREFOX_PATH'}`,
    );
  }
  return path;
}

/**
 * @param {{extensionDir?: string|null, headless?: boolean, args?: string[], viewport?: {width:number,height:number}|null}} [opts]
 */
export async function launchChromium(opts = {}) {
  const { chromium } = await import('playwright-core');
  const executablePath = requireBrowser('chromium');
  const userDataDir = mkdtempSync(join(tmpdir(), 'cors-lens-chromium-'));
  const ext = opts.extensionDir ? resolve(opts.extensionDir) : null;
  const args = [...CHROMIUM_FLAGS, ...(ext ? [`--disable-extensions-except=${ext}`, `--load-extension=${ext}`] : []), ...(opts.args ?? [])];
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: opts.headless ?? true,
    args,
    viewport: opts.viewport === undefined ? { width: 1280, height: 800 } : opts.viewport,
    timeout: 60_000,
  });
  let sw = null;
  let extensionId = null;
  if (ext) {
    sw = context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ?? null;
    if (!sw) sw = await context.waitForEvent('serviceworker', { timeout: 30_000 });
    extensionId = new URL(sw.url()).host;
  }
  return {
    context,
    sw,
    extensionId,
    executablePath,
    /** chrome-extension://<id>/<path> */
    extensionUrl: (path) => `chrome-extension://${extensionId}/${path.replace(/^\//, '')}`,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * @param {{extensionDir?: string|null, headless?: boolean, prefs?: Record<string, unknown>}} [opts]
 */
export async function launchFirefox(opts = {}) {
  const puppeteer = (await import('puppeteer-core')).default;
  const executablePath = requireBrowser('firefox');
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath,
    headless: opts.headless ?? true,
    protocolTimeout: 60_000,
    timeout: 60_000,
    extraPrefsFirefox: { ...FIREFOX_PREFS, ...(opts.prefs ?? {}) },
  });
  let addonId = null;
  if (opts.extensionDir) addonId = await browser.installExtension(resolve(opts.extensionDir));
  return {
    browser,
    addonId,
    executablePath,
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}
