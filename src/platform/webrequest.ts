/**
 * webRequest at the boundary: listener options per browser and conversion of raw event details
 * into the browser-neutral `RequestEvent` of src/core. Nothing else reads raw details.
 *
 * Chromium shows preflights, `Origin`, `Cookie` and the headers of CORS-blocked responses only
 * to listeners registered with 'extraHeaders' (browser-facts §C; developer.chrome.com
 * webRequest "extraHeaders"). Firefox has no such option and throws on it (browser-facts §E), so
 * it is feature-detected through `webRequest.OnBeforeSendHeadersOptions.EXTRA_HEADERS`.
 */
import type { RequestEvent } from '../core/events.ts';
import type { HeaderEntry } from '../core/model.ts';
import { headerLines, strings } from './intern.ts';

/** Raw details as both browsers deliver them (the union of the fields we read). */
export interface RawDetails {
  requestId: string;
  url: string;
  method: string;
  type?: string;
  tabId?: number;
  timeStamp: number;
  /** Chromium: serialized origin of the initiator. */
  initiator?: string;
  /** Firefox: URL of the resource that triggered the request. */
  originUrl?: string;
  documentUrl?: string;
  requestHeaders?: { name: string; value?: string; binaryValue?: ArrayLike<number> }[];
  responseHeaders?: { name: string; value?: string; binaryValue?: ArrayLike<number> }[];
  statusCode?: number;
  statusLine?: string;
  redirectUrl?: string;
  fromCache?: boolean;
  error?: string;
}

type WebRequestNs = { OnBeforeSendHeadersOptions?: Record<string, string> } | undefined;

/** True when this browser knows 'extraHeaders' (Chromium ≥ 72). */
export function supportsExtraHeaders(webRequest: WebRequestNs): boolean {
  return webRequest?.OnBeforeSendHeadersOptions?.EXTRA_HEADERS === 'extraHeaders';
}

export type ListenerKind = 'before-request' | 'send-headers' | 'headers-received' | 'redirect' | 'completed' | 'error';

/** extraInfoSpec for each listener: request or response headers, plus 'extraHeaders' where it exists. */
export function extraInfoSpecFor(kind: ListenerKind, extra: boolean): string[] | undefined {
  const spec: string[] = [];
  if (kind === 'send-headers') spec.push('requestHeaders');
  if (kind === 'headers-received' || kind === 'redirect' || kind === 'completed') spec.push('responseHeaders');
  // onErrorOccurred takes no extraInfoSpec in either browser; onBeforeRequest takes
  // 'extraHeaders' in Chromium ≥ 79 so that preflights reach it too.
  if (extra && kind !== 'error') spec.push('extraHeaders');
  return spec.length > 0 ? spec : undefined;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/** Header lines are shared between requests (see intern.ts: most of them repeat on every request). */
function headers(raw: RawDetails['requestHeaders']): HeaderEntry[] {
  if (!raw) return [];
  const out = new Array<HeaderEntry>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const h = raw[i]!;
    out[i] = headerLines.line(h.name, h.value ?? (h.binaryValue ? decoder.decode(Uint8Array.from(h.binaryValue)) : ''));
  }
  return out;
}

function originOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const o = new URL(url).origin;
    return o === 'null' ? 'null' : o;
  } catch {
    return null;
  }
}

function tabOf(tabId: number | undefined): number | null {
  return tabId === undefined || tabId < 0 ? null : tabId;
}

/**
 * What every raw event says about its request, whatever the event: the core events carry it on
 * 'before-request' only, but a worker woken in the middle of a request never sees that one.
 */
export interface EventContext {
  tabId: number | null;
  resourceType: string;
  initiator: string | null;
}

/** Chromium: `initiator` is already a serialized origin ("null" for opaque origins); absent
 *  for browser-initiated navigations. */
function chromiumInitiator(d: RawDetails): string | null {
  return strings.intern(d.initiator ?? null);
}

/** Firefox: no `initiator`; the triggering document's origin comes from `originUrl` (the
 *  resource that triggered the request), else `documentUrl` (the document it loads in). */
function firefoxInitiator(d: RawDetails): string | null {
  const url = d.originUrl ?? d.documentUrl;
  if (url === undefined) return null;
  // Every event of every request a document makes names that document: parse each URL once,
  // not once per event (up to nine `new URL` per request: its events plus their contexts).
  let o = originByUrl.get(url);
  if (o === undefined) {
    o = strings.intern(originOf(url));
    if (originByUrl.size >= MAX_ORIGIN_URLS) originByUrl.clear();
    originByUrl.set(url, o);
  }
  return o;
}

/** Firefox: triggering URL → its origin (null when it does not parse). Bounded like intern.ts's pools. */
const originByUrl = new Map<string, string | null>();
const MAX_ORIGIN_URLS = 1024;

export function fromChromium(kind: ListenerKind, d: RawDetails): RequestEvent {
  return convert(kind, d, chromiumInitiator(d));
}

export function fromFirefox(kind: ListenerKind, d: RawDetails): RequestEvent {
  return convert(kind, d, firefoxInitiator(d));
}

export function chromiumContext(d: RawDetails): EventContext {
  return { tabId: tabOf(d.tabId), resourceType: strings.intern(d.type ?? 'other'), initiator: chromiumInitiator(d) };
}

export function firefoxContext(d: RawDetails): EventContext {
  return { tabId: tabOf(d.tabId), resourceType: strings.intern(d.type ?? 'other'), initiator: firefoxInitiator(d) };
}

/**
 * Both browsers give epoch milliseconds (Chromium a float with sub-millisecond digits, which
 * order a preflight and its request that start within one millisecond; Firefox an integer).
 * Keep the float; guard against a missing or non-finite value so later arithmetic stays sane.
 */
function timeOf(t: number | undefined): number {
  return typeof t === 'number' && Number.isFinite(t) ? t : Date.now();
}

function convert(kind: ListenerKind, d: RawDetails, initiator: string | null): RequestEvent {
  // Chromium's requestId is a decimal string, Firefox's too, but older Firefox gave numbers.
  const requestId = String(d.requestId);
  const timeStamp = timeOf(d.timeStamp);
  const url = d.url;
  // Object literals, not `{ ...base, … }`: with the worker's compiler tier (Maglev) the spread
  // was most of this function's time, and converting one real batch took twice as long
  // (`node bench/conversion.mjs --baseline 4285f90`: best pass 56 → 28 ms, docs/bench.md).
  switch (kind) {
    case 'before-request':
      return { requestId, timeStamp, url, event: kind, method: strings.intern(d.method), tabId: tabOf(d.tabId), resourceType: strings.intern(d.type ?? 'other'), initiator };
    case 'send-headers':
      return { requestId, timeStamp, url, event: kind, method: strings.intern(d.method), requestHeaders: headers(d.requestHeaders) };
    case 'headers-received':
      return { requestId, timeStamp, url, event: kind, statusCode: d.statusCode ?? 0, statusLine: strings.intern(d.statusLine ?? ''), responseHeaders: headers(d.responseHeaders) };
    case 'redirect':
      return { requestId, timeStamp, url, event: kind, statusCode: d.statusCode ?? 0, statusLine: strings.intern(d.statusLine ?? ''), responseHeaders: headers(d.responseHeaders), redirectUrl: d.redirectUrl ?? '' };
    case 'completed':
      return { requestId, timeStamp, url, event: kind, statusCode: d.statusCode ?? 0, statusLine: strings.intern(d.statusLine ?? ''), responseHeaders: headers(d.responseHeaders), fromCache: d.fromCache === true };
    case 'error':
      return { requestId, timeStamp, url, event: kind, error: d.error ?? 'unknown error' };
  }
}
