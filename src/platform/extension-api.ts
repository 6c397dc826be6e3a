/**
 * The few extension APIs the background uses besides webRequest, behind one small typed
 * interface. The background depends on `ExtensionApi` only, so it runs unchanged against the
 * real browser (here) and against the fakes of test/unit/background/fakes.ts.
 *
 * Kept deliberately narrow: each member maps onto one browser call, with no logic of its own
 * beyond papering over a browser difference.
 */
import { browser, type Runtime } from './browser.ts';

/** Who sent a message or opened a port (the part of `runtime.MessageSender` we check). */
export interface SenderLike {
  id?: string;
  url?: string;
}

/** A long-lived port (`runtime.Port`), reduced to what the background uses. */
export interface PortLike {
  readonly name: string;
  readonly sender?: SenderLike;
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(cb: (message: unknown) => void): void };
  onDisconnect: { addListener(cb: () => void): void };
}

/** A `storage.session` / `storage.local` area. */
export interface StorageAreaLike {
  /** `null` reads every key. */
  get(keys: string[] | null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string[]): Promise<void>;
  /**
   * Every key, without the values (`storage.StorageArea.getKeys`: Chromium >= 130, Firefox >= 143).
   * Absent where the browser lacks it: callers fall back to `get(null)`.
   */
  getKeys?(): Promise<string[]>;
}

/**
 * A one-shot message handler: return a promise to reply, `undefined` to stay silent (the
 * message was not for us). Same contract as the polyfill's `runtime.onMessage`.
 */
export type MessageHandler = (message: unknown, sender: SenderLike) => Promise<unknown> | undefined;

export interface ExtensionApi {
  /** `runtime.id`. */
  readonly runtimeId: string;
  /** `runtime.getURL('')`: the origin (with trailing slash) every page of ours lives under. */
  readonly extensionBaseUrl: string;
  /** The manifest version string, for the HAR `creator`. */
  readonly version: string;
  /** `storage.session`: survives a worker restart, not a browser restart (browser-facts §F). */
  readonly session: StorageAreaLike;
  /** `storage.local`: settings. */
  readonly local: StorageAreaLike;
  /** Tab-specific toolbar badge text (`action.setBadgeText`); `color` becomes every tab's badge colour (one colour for all, set once). */
  setBadge(tabId: number, text: string, color: string): Promise<void>;
  /** The tab's URL when we may read it (host permission covers http(s) tabs), else null. */
  tabUrl(tabId: number): Promise<string | null>;
  onTabRemoved(cb: (tabId: number) => void): void;
  onConnect(cb: (port: PortLike) => void): void;
  onMessage(cb: MessageHandler): void;
}

/** The real thing, over webextension-polyfill. Call once, synchronously, at the top level. */
export function realExtensionApi(): ExtensionApi {
  const session = browser.storage.session;
  const local = browser.storage.local;
  /** The badge colour set as every tab's default by this worker (see `setBadge`). */
  let badgeColor: string | null = null;
  return {
    runtimeId: browser.runtime.id,
    extensionBaseUrl: browser.runtime.getURL('/'),
    version: browser.runtime.getManifest().version,
    session: {
      get: (keys) => session.get(keys) as Promise<Record<string, unknown>>,
      set: (items) => session.set(items),
      remove: (keys) => session.remove(keys),
      // Feature-detected: the wake reads storage in small pieces with it (persist.ts `load`).
      ...(typeof (session as { getKeys?: unknown }).getKeys === 'function'
        ? { getKeys: () => (session as unknown as { getKeys(): Promise<string[]> }).getKeys() }
        : {}),
    },
    local: {
      get: (keys) => local.get(keys) as Promise<Record<string, unknown>>,
      set: (items) => local.set(items),
      remove: (keys) => local.remove(keys),
    },
    async setBadge(tabId, text, color) {
      // The colour is set once per worker as the default of every tab, not with each update:
      // while failures arrive the badge changes every 100 ms, and each extension API call is a
      // round trip to the browser process (docs/bench.md "Capture attribution": the cost of our
      // storage writes is per call, not per byte). Both calls reject for a tab that closed
      // meanwhile; the badge is cosmetic, so ignore that.
      if (text && color !== badgeColor) {
        badgeColor = color;
        void browser.action.setBadgeBackgroundColor({ color }).catch(() => {
          badgeColor = null;
        });
      }
      await browser.action.setBadgeText({ tabId, text }).catch(() => undefined);
    },
    async tabUrl(tabId) {
      try {
        const tab = await browser.tabs.get(tabId);
        return tab.url ?? null;
      } catch {
        return null;
      }
    },
    onTabRemoved(cb) {
      browser.tabs.onRemoved.addListener((tabId) => cb(tabId));
    },
    onConnect(cb) {
      browser.runtime.onConnect.addListener((port: Runtime.Port) => cb(port));
    },
    onMessage(cb) {
      // The polyfill turns a returned promise into the reply (and `undefined` into no reply),
      // in Chromium as in Firefox.
      browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => cb(message, sender));
    },
  };
}
