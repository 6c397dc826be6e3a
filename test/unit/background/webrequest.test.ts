/**
 * Normalisation of raw webRequest details, one function per browser, fed with details shaped
 * like the ones measured in browser-facts §C (Chromium 156) and §E (Firefox ESR 153).
 */
import { describe, expect, it } from 'vitest';
import {
  chromiumContext,
  extraInfoSpecFor,
  firefoxContext,
  fromChromium,
  fromFirefox,
  supportsExtraHeaders,
  type ListenerKind,
  type RawDetails,
} from '../../../src/platform/webrequest.ts';

const PAGE = 'http://127.0.0.1:18101';
const API = 'http://127.0.0.1:18102';

/** Chromium preflight, onSendHeaders (§C case 3, with extraHeaders). */
const chromiumPreflight: RawDetails = {
  requestId: '1043',
  url: `${API}/put`,
  method: 'OPTIONS',
  type: 'xmlhttprequest',
  tabId: 1733002,
  timeStamp: 1764028800001.847,
  initiator: PAGE,
  requestHeaders: [
    { name: 'Access-Control-Request-Method', value: 'PUT' },
    { name: 'Access-Control-Request-Headers', value: 'x-custom' },
    { name: 'Origin', value: PAGE },
  ],
};

/** Firefox preflight, onSendHeaders (§E case 3): no initiator, page URL in originUrl/documentUrl. */
const firefoxPreflight: RawDetails = {
  requestId: '77',
  url: `${API}/put`,
  method: 'OPTIONS',
  type: 'xmlhttprequest',
  tabId: 3,
  timeStamp: 1764028800002,
  originUrl: `${PAGE}/page.html?x=1`,
  documentUrl: `${PAGE}/page.html?x=1`,
  requestHeaders: [
    { name: 'Origin', value: PAGE },
    { name: 'Access-Control-Request-Method', value: 'PUT' },
  ],
};

describe('fromChromium / fromFirefox', () => {
  it('Chromium: initiator is the origin as given; float timestamps keep their fraction', () => {
    const e = fromChromium('before-request', chromiumPreflight);
    expect(e).toEqual({
      event: 'before-request',
      requestId: '1043',
      url: `${API}/put`,
      method: 'OPTIONS',
      tabId: 1733002,
      resourceType: 'xmlhttprequest',
      initiator: PAGE,
      timeStamp: 1764028800001.847,
    });
  });

  it('Firefox: initiator is the origin of originUrl (path and query dropped)', () => {
    const e = fromFirefox('before-request', firefoxPreflight);
    expect(e).toMatchObject({ event: 'before-request', requestId: '77', tabId: 3, initiator: PAGE, timeStamp: 1764028800002 });
  });

  it.each<{ name: string; d: Partial<RawDetails>; initiator: string | null }>([
    { name: 'documentUrl when originUrl is absent', d: { originUrl: undefined, documentUrl: `${API}/frame.html` }, initiator: API },
    { name: 'null for an opaque origin (about:blank)', d: { originUrl: 'about:blank' }, initiator: 'null' },
    { name: 'null when neither is given (typed navigation)', d: { originUrl: undefined, documentUrl: undefined }, initiator: null },
    { name: 'null for an unparsable URL', d: { originUrl: 'not a url' }, initiator: null },
  ])('Firefox initiator: $name', ({ d, initiator }) => {
    const e = fromFirefox('before-request', { ...firefoxPreflight, ...d });
    expect(e.event === 'before-request' && e.initiator).toBe(initiator);
  });

  it('Firefox initiator: each URL is parsed once, and the answers stay right past the cache bound', () => {
    const initiatorOf = (originUrl: string | undefined): string | null => {
      const e = fromFirefox('before-request', { ...firefoxPreflight, originUrl, documentUrl: undefined });
      return e.event === 'before-request' ? e.initiator : 'not a before-request';
    };
    const RealURL = globalThis.URL;
    let parsed = 0;
    globalThis.URL = class extends RealURL {
      constructor(url: string | URL, base?: string | URL) {
        parsed++;
        super(url, base);
      }
    };
    try {
      const page = `${PAGE}/cached.html?n=${Math.random()}`;
      expect([initiatorOf(page), initiatorOf(page), firefoxContext({ ...firefoxPreflight, originUrl: page }).initiator]).toEqual([PAGE, PAGE, PAGE]);
      expect(parsed).toBe(1);
      expect([initiatorOf('not a url'), initiatorOf('not a url')]).toEqual([null, null]);
      // More distinct documents than the cache holds (1,024): every answer is still that URL's own origin.
      for (let i = 0; i < 1500; i++) expect(initiatorOf(`http://h${i}.test:90${i % 10}/p?${i}`)).toBe(`http://h${i}.test:90${i % 10}`);
      expect(initiatorOf(page)).toBe(PAGE);
    } finally {
      globalThis.URL = RealURL;
    }
  });

  it('Chromium: a browser-initiated navigation has no initiator', () => {
    const { initiator: _drop, ...nav } = { ...chromiumPreflight, type: 'main_frame', method: 'GET' };
    const e = fromChromium('before-request', nav);
    expect(e).toMatchObject({ resourceType: 'main_frame', initiator: null });
  });

  it.each([
    { tabId: -1, want: null },
    { tabId: undefined, want: null },
    { tabId: 0, want: 0 },
  ])('tabId $tabId (service worker / no tab is -1) → $want', ({ tabId, want }) => {
    const e = fromChromium('before-request', { ...chromiumPreflight, tabId });
    expect(e.event === 'before-request' && e.tabId).toBe(want);
  });

  it('request headers, including binary values, become HeaderEntry lists', () => {
    const e = fromFirefox('send-headers', {
      ...firefoxPreflight,
      requestHeaders: [
        { name: 'Origin', value: PAGE },
        { name: 'X-Bin', binaryValue: [104, 105] },
        { name: 'X-Empty' },
      ],
    });
    expect(e).toEqual({
      event: 'send-headers',
      requestId: '77',
      url: `${API}/put`,
      method: 'OPTIONS',
      timeStamp: 1764028800002,
      requestHeaders: [
        { name: 'Origin', value: PAGE },
        { name: 'X-Bin', value: 'hi' },
        { name: 'X-Empty', value: '' },
      ],
    });
  });

  it('response events carry status, status line and headers; completed carries fromCache', () => {
    const raw: RawDetails = {
      ...chromiumPreflight,
      method: 'PUT',
      statusCode: 200,
      statusLine: 'HTTP/1.1 200 OK',
      fromCache: true,
      responseHeaders: [{ name: 'Access-Control-Allow-Origin', value: PAGE }],
    };
    expect(fromChromium('headers-received', raw)).toMatchObject({ event: 'headers-received', statusCode: 200, statusLine: 'HTTP/1.1 200 OK', responseHeaders: [{ name: 'Access-Control-Allow-Origin', value: PAGE }] });
    expect(fromChromium('completed', raw)).toMatchObject({ event: 'completed', fromCache: true, statusCode: 200 });
    expect(fromFirefox('completed', { ...raw, fromCache: undefined })).toMatchObject({ event: 'completed', fromCache: false });
  });

  it('redirect carries the redirect URL (§C case 7)', () => {
    const e = fromChromium('redirect', { ...chromiumPreflight, method: 'GET', statusCode: 302, statusLine: 'HTTP/1.1 302 Found', redirectUrl: 'http://127.0.0.1:18103/final', responseHeaders: [] });
    expect(e).toMatchObject({ event: 'redirect', statusCode: 302, redirectUrl: 'http://127.0.0.1:18103/final' });
  });

  it.each([
    { browser: 'Chromium', convert: fromChromium, error: 'net::ERR_FAILED' },
    { browser: 'Firefox', convert: fromFirefox, error: 'NS_ERROR_DOM_BAD_URI' },
  ])('$browser error keeps the browser error text as evidence', ({ convert, error }) => {
    expect(convert('error', { ...chromiumPreflight, error })).toMatchObject({ event: 'error', error });
    expect(convert('error', { ...chromiumPreflight, error: undefined })).toMatchObject({ event: 'error', error: 'unknown error' });
  });

  it('a numeric requestId (older Firefox) becomes a string; a missing timestamp a finite number', () => {
    const e = fromFirefox('before-request', { ...firefoxPreflight, requestId: 12 as unknown as string, timeStamp: Number.NaN });
    expect(e.requestId).toBe('12');
    expect(Number.isFinite(e.timeStamp)).toBe(true);
  });

  it('contexts: every event says its tab, type and initiator', () => {
    expect(chromiumContext(chromiumPreflight)).toEqual({ tabId: 1733002, resourceType: 'xmlhttprequest', initiator: PAGE });
    expect(firefoxContext(firefoxPreflight)).toEqual({ tabId: 3, resourceType: 'xmlhttprequest', initiator: PAGE });
    expect(firefoxContext({ ...firefoxPreflight, tabId: -1, type: undefined })).toEqual({ tabId: null, resourceType: 'other', initiator: PAGE });
  });
});

describe('listener options', () => {
  it('feature-detects extraHeaders from OnBeforeSendHeadersOptions (§E)', () => {
    expect(supportsExtraHeaders({ OnBeforeSendHeadersOptions: { BLOCKING: 'blocking', EXTRA_HEADERS: 'extraHeaders', REQUEST_HEADERS: 'requestHeaders' } })).toBe(true);
    expect(supportsExtraHeaders({ OnBeforeSendHeadersOptions: { BLOCKING: 'blocking', REQUEST_HEADERS: 'requestHeaders' } })).toBe(false);
    expect(supportsExtraHeaders(undefined)).toBe(false);
  });

  it.each<[ListenerKind, boolean, string[] | undefined]>([
    ['before-request', true, ['extraHeaders']],
    ['before-request', false, undefined],
    ['send-headers', true, ['requestHeaders', 'extraHeaders']],
    ['send-headers', false, ['requestHeaders']],
    ['headers-received', true, ['responseHeaders', 'extraHeaders']],
    ['redirect', false, ['responseHeaders']],
    ['completed', true, ['responseHeaders', 'extraHeaders']],
    // onErrorOccurred takes no extraInfoSpec in either browser.
    ['error', true, undefined],
    ['error', false, undefined],
  ])('%s with extraHeaders=%s → %j', (kind, extra, spec) => {
    expect(extraInfoSpecFor(kind, extra)).toEqual(spec);
  });
});
