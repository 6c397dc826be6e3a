/**
 * The only import of webextension-polyfill in the code base (lint enforces it): everything
 * that needs `browser.*` gets it from here, so a browser quirk is handled in one place.
 */
import browser from 'webextension-polyfill';

export { browser };
export type { Runtime, Tabs, WebRequest } from 'webextension-polyfill';

/** Which engine we run in. Decided from the build target, confirmed by a runtime check. */
export function runningBrowser(): 'chromium' | 'firefox' {
  // `browser.runtime.getBrowserInfo` exists only in Firefox.
  const rt = (globalThis as { browser?: { runtime?: { getBrowserInfo?: unknown } } }).browser?.runtime;
  if (typeof rt?.getBrowserInfo === 'function') return 'firefox';
  return __CORS_LENS_TARGET__ === 'firefox' ? 'firefox' : 'chromium';
}
