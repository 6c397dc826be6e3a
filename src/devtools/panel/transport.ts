/**
 * The panel's only browser access (DESIGN §1): the port to the background, one-shot messages,
 * the inspected tab and the DevTools theme. Everything else receives these as parameters.
 */
import { browser, runningBrowser } from '../../platform/browser.ts';
import type { BrowserProfile } from '../../core/model.ts';
import { requestBackground } from '../../platform/messaging.ts';
import { panelPortName, type PanelInbound } from '../../shared/messages.ts';
import type { PanelTransport } from './types.ts';
import { themeFromName } from './lib/query.ts';

export function createPanelTransport(): PanelTransport {
  return {
    connect(tabId, onMessage, onDisconnect) {
      const port = browser.runtime.connect({ name: panelPortName(tabId) });
      port.onMessage.addListener((m: unknown) => onMessage(m as PanelInbound));
      port.onDisconnect.addListener(() => onDisconnect());
      return {
        send: (msg) => {
          try {
            port.postMessage(msg);
          } catch {
            // The port died between two messages; onDisconnect reconnects.
          }
        },
        close: () => port.disconnect(),
      };
    },
    request: requestBackground,
  };
}

/** The tab DevTools is inspecting, when this page runs as a DevTools panel. */
export function inspectedTabId(): number | null {
  const id = globalThis.chrome?.devtools?.inspectedWindow?.tabId;
  return typeof id === 'number' ? id : null;
}

/**
 * 'dark' when DevTools uses its dark theme. `devtools.panels.themeName` exists in both browsers
 * (Firefox since 55, bug 1349896) with different values: Chromium says 'default' | 'dark',
 * Firefox 'light' | 'dark' | 'firebug' (a light theme). Read defensively: outside DevTools (the
 * page opened as a tab, ?theme= absent) there is no `devtools` and the caller falls back to
 * prefers-color-scheme.
 */
export function devtoolsTheme(): 'light' | 'dark' | null {
  return themeFromName(globalThis.chrome?.devtools?.panels?.themeName);
}


export function browserProfile(): BrowserProfile {
  return runningBrowser();
}
