/**
 * Registers the webRequest listeners for the whole request lifecycle and converts every event
 * at this boundary. Must be called synchronously at the top level of the background script:
 * an MV3 worker woken by an event only delivers it to listeners registered in its first turn
 * (browser-facts §F).
 */
import type { RequestEvent } from '../core/events.ts';
import { browser, runningBrowser } from './browser.ts';
import {
  chromiumContext,
  extraInfoSpecFor,
  firefoxContext,
  fromChromium,
  fromFirefox,
  supportsExtraHeaders,
  type EventContext,
  type ListenerKind,
  type RawDetails,
} from './webrequest.ts';

export interface ListenOptions {
  /** URL patterns to observe. */
  urls?: string[];
  /** Events for URLs starting with one of these prefixes are ignored (e.g. a test log sink). */
  ignorePrefixes?: string[];
}

type AnyEvent = { addListener(cb: (d: RawDetails) => void, filter: { urls: string[] }, spec?: string[]): void };

/**
 * `onEvent` gets the browser-neutral event plus, for 'send-headers' and the terminal events, the
 * context every raw event carries (tab, resource type, initiator): the core events carry them on
 * 'before-request' only, and a worker that restarted mid-request may never see that one
 * (browser-facts §F).
 */
export function listenToRequests(
  onEvent: (e: RequestEvent, ctx: EventContext | undefined) => void,
  opts: ListenOptions = {},
): { extraHeaders: boolean } {
  const wr = browser.webRequest as unknown as Record<string, AnyEvent> & { OnBeforeSendHeadersOptions?: Record<string, string> };
  const extra = supportsExtraHeaders(wr);
  // Normalisation follows the engine we run in; 'extraHeaders' only decides the listener options.
  const firefox = runningBrowser() === 'firefox';
  const convert = firefox ? fromFirefox : fromChromium;
  const context = firefox ? firefoxContext : chromiumContext;
  const filter = { urls: opts.urls ?? ['<all_urls>'] };
  const ignore = opts.ignorePrefixes ?? [];
  const events: [ListenerKind, string][] = [
    ['before-request', 'onBeforeRequest'],
    ['send-headers', 'onSendHeaders'],
    ['headers-received', 'onHeadersReceived'],
    ['redirect', 'onBeforeRedirect'],
    ['completed', 'onCompleted'],
    ['error', 'onErrorOccurred'],
  ];
  for (const [kind, name] of events) {
    // The service reads the context of the events that can open or close a record after a
    // wake (request headers, terminal events); 'before-request' carries the same fields itself,
    // and nothing reads it for the response-side events. Not built where unread: this runs for
    // every webRequest event.
    const wantsContext = kind === 'send-headers' || kind === 'completed' || kind === 'error';
    const handler = (d: RawDetails): undefined => {
      if (ignore.length > 0 && ignore.some((p) => d.url.startsWith(p))) return undefined;
      onEvent(convert(kind, d), wantsContext ? context(d) : undefined);
      return undefined;
    };
    const spec = extraInfoSpecFor(kind, extra);
    // Firefox rejects an explicit `undefined` extraInfoSpec: onErrorOccurred.addListener(h, f,
    // undefined) throws "Incorrect argument types for webRequest.onErrorOccurred" (measured,
    // Firefox ESR 153), which lost every failed request and aborted the rest of the background's
    // top level (message and port handlers). Pass the argument only when there is one.
    if (spec) wr[name]!.addListener(handler, filter, spec);
    else wr[name]!.addListener(handler, filter);
  }
  return { extraHeaders: extra };
}
