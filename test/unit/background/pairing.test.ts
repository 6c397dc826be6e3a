/**
 * Live pairing end to end inside the background: lifecycle events in each browser's measured
 * order (browser-facts §C Chromium 156, §E Firefox ESR 153) → tracker → per-tab store → the
 * real engine (CorsAnalyzer behind BoundedAnalyzer). Checks what the panel and export get.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { coreEngine } from '../../../src/background/engine.ts';
import { CaptureService, yieldToEvents } from '../../../src/background/service.ts';
import { NO_TAB } from '../../../src/background/store.ts';
import type { CorsAnnotation } from '../../../src/core/annotation.ts';
import type { RequestEvent } from '../../../src/core/events.ts';
import type { BrowserProfile, HeaderEntry } from '../../../src/core/model.ts';
import { FakeApi } from './fakes.ts';

const PAGE = 'http://127.0.0.1:18101';
const URL_PUT = 'http://127.0.0.1:18102/put';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Builds the events of one request id. */
class Ev {
  constructor(
    readonly id: string,
    readonly method: string,
    readonly tabId: number | null = 1,
    readonly url = URL_PUT,
  ) {}
  br(t: number): RequestEvent {
    return { event: 'before-request', requestId: this.id, url: this.url, method: this.method, tabId: this.tabId, resourceType: 'xmlhttprequest', initiator: PAGE, timeStamp: t };
  }
  sh(t: number, headers: HeaderEntry[]): RequestEvent {
    return { event: 'send-headers', requestId: this.id, url: this.url, method: this.method, requestHeaders: headers, timeStamp: t };
  }
  hr(t: number, status: number, headers: HeaderEntry[]): RequestEvent {
    return { event: 'headers-received', requestId: this.id, url: this.url, statusCode: status, statusLine: `HTTP/1.1 ${status} X`, responseHeaders: headers, timeStamp: t };
  }
  c(t: number, status: number, headers: HeaderEntry[]): RequestEvent {
    return { event: 'completed', requestId: this.id, url: this.url, statusCode: status, statusLine: `HTTP/1.1 ${status} X`, responseHeaders: headers, fromCache: false, timeStamp: t };
  }
  err(t: number, error: string): RequestEvent {
    return { event: 'error', requestId: this.id, url: this.url, error, timeStamp: t };
  }
}

const h = (name: string, value: string): HeaderEntry => ({ name, value });
const putHeaders = [h('Origin', PAGE), h('X-Custom', '1')];
const preflightHeaders = [h('Origin', PAGE), h('Access-Control-Request-Method', 'PUT'), h('Access-Control-Request-Headers', 'x-custom')];
const okPreflight = [h('Access-Control-Allow-Origin', PAGE), h('Access-Control-Allow-Methods', 'PUT'), h('Access-Control-Allow-Headers', 'x-custom'), h('Access-Control-Max-Age', '600')];
const badPreflight = [h('Access-Control-Allow-Origin', PAGE), h('Access-Control-Allow-Methods', 'GET'), h('Access-Control-Allow-Headers', 'x-custom')];
const okResponse = [h('Access-Control-Allow-Origin', PAGE), h('Vary', 'Origin')];

/** §C case 3 / 4 (Chromium): main BR, whole preflight, then the main request continues or errors. */
function chromium(main: Ev, pf: Ev, t: number, ok: boolean): RequestEvent[] {
  const pre = [main.br(t), pf.br(t + 1), pf.sh(t + 2, preflightHeaders), pf.hr(t + 5, 204, ok ? okPreflight : badPreflight), pf.c(t + 6, 204, ok ? okPreflight : badPreflight)];
  if (!ok) return [...pre, main.err(t + 7, 'net::ERR_FAILED')];
  return [...pre, main.sh(t + 30, putHeaders), main.hr(t + 35, 200, okResponse), main.c(t + 36, 200, okResponse)];
}

/** §E case 3 / 4 (Firefox): the main request's headers go out before the preflight starts. */
function firefox(main: Ev, pf: Ev, t: number, ok: boolean): RequestEvent[] {
  const pre = [main.br(t), main.sh(t + 1, putHeaders), pf.br(t + 2), pf.sh(t + 3, preflightHeaders), pf.hr(t + 5, 204, ok ? okPreflight : badPreflight)];
  if (!ok) return [...pre, pf.err(t + 6, 'NS_ERROR_DOM_BAD_URI'), main.err(t + 7, 'NS_ERROR_DOM_BAD_URI')];
  return [...pre, pf.c(t + 6, 204, okPreflight), main.hr(t + 30, 200, okResponse), main.c(t + 31, 200, okResponse)];
}

async function capture(profile: BrowserProfile, events: RequestEvent[]): Promise<CaptureService> {
  const s = new CaptureService({ api: new FakeApi(), profile, engine: coreEngine, restoreYield: yieldToEvents });
  await s.ready;
  for (const e of events) s.onRequestEvent(e);
  return s;
}

function byId(s: CaptureService, tabId: number): Map<string, CorsAnnotation> {
  return new Map(s.entries(tabId).map((e) => [e.cors.id, e.cors]));
}

describe.each([
  { name: 'Chromium order', profile: 'chromium' as const, order: chromium },
  { name: 'Firefox order', profile: 'firefox' as const, order: firefox },
])('$name', ({ profile, order }) => {
  it('pairs a passing preflight with its request', async () => {
    const s = await capture(profile, order(new Ev('10', 'PUT'), new Ev('11', 'OPTIONS'), 1000, true));
    const c = byId(s, 1);
    expect(c.get('11')).toMatchObject({ kind: 'preflight', verdict: 'pass', pairedWith: '10' });
    expect(c.get('10')).toMatchObject({ kind: 'preflighted', verdict: 'pass', pairedWith: '11' });
    expect(s.counters(1)).toMatchObject({ crossOrigin: 1, passed: 1, failed: 0, preflights: 1 });
  });

  it('a failed preflight: the request, never sent, fails with the preflight’s reason', async () => {
    const s = await capture(profile, order(new Ev('20', 'PUT'), new Ev('21', 'OPTIONS'), 1000, false));
    const c = byId(s, 1);
    expect(c.get('21')).toMatchObject({ kind: 'preflight', verdict: 'fail', pairedWith: '20', error: 'MethodDisallowedByPreflightResponse' });
    expect(c.get('20')).toMatchObject({ kind: 'preflighted', verdict: 'fail', pairedWith: '21', error: 'MethodDisallowedByPreflightResponse', observed: { outcome: 'failed' } });
    expect(s.counters(1)).toMatchObject({ crossOrigin: 1, failed: 1, preflights: 1 });
  });

  it('a request served from the preflight cache links to the earlier preflight', async () => {
    const second = new Ev('32', 'PUT');
    const s = await capture(profile, [
      ...order(new Ev('30', 'PUT'), new Ev('31', 'OPTIONS'), 1000, true),
      second.br(3000),
      second.sh(3001, putHeaders),
      second.hr(3005, 200, okResponse),
      second.c(3006, 200, okResponse),
    ]);
    expect(byId(s, 1).get('32')).toMatchObject({ kind: 'preflighted', verdict: 'pass', pairedWith: null, preflightCache: { hit: true, preflightId: '31' } });
    expect(s.counters(1)).toMatchObject({ cacheHits: 1, crossOrigin: 2 });
  });

  it('identical requests in flight at once each get their own preflight', async () => {
    const a = order(new Ev('40', 'PUT'), new Ev('41', 'OPTIONS'), 1000, true);
    const b = order(new Ev('42', 'PUT'), new Ev('43', 'OPTIONS'), 1003, true);
    // Interleave the two exchanges event by event.
    const mixed = a.flatMap((e, i) => (b[i] ? [e, b[i]!] : [e]));
    const s = await capture(profile, mixed);
    const c = byId(s, 1);
    const pairs = ['40', '42'].map((id) => [id, c.get(id)!.pairedWith]);
    expect(new Set(pairs.map((p) => p[1]))).toEqual(new Set(['41', '43']));
    for (const [req, pf] of pairs) expect(c.get(pf!)!.pairedWith).toBe(req);
  });

  it('preflights of another tab interleaved do not pair across tabs', async () => {
    const t1 = order(new Ev('50', 'PUT', 1), new Ev('51', 'OPTIONS', 1), 1000, true);
    const t2 = order(new Ev('60', 'PUT', 2), new Ev('61', 'OPTIONS', 2), 1000, false);
    const mixed = t1.flatMap((e, i) => (t2[i] ? [e, t2[i]!] : [e]));
    const s = await capture(profile, mixed);
    expect(byId(s, 1).get('50')).toMatchObject({ verdict: 'pass', pairedWith: '51' });
    expect(byId(s, 2).get('60')).toMatchObject({ verdict: 'fail', pairedWith: '61' });
    expect([...byId(s, 1).keys()].sort()).toEqual(['50', '51']);
  });

  it('requests without a tab (service worker) are paired in their own bucket', async () => {
    const s = await capture(profile, order(new Ev('70', 'PUT', null), new Ev('71', 'OPTIONS', null), 1000, true));
    expect(byId(s, NO_TAB).get('70')).toMatchObject({ kind: 'preflighted', pairedWith: '71' });
    expect(s.tabIds()).toEqual([NO_TAB]);
  });
});

describe('the browser outcome is evidence, not the verdict', () => {
  const simple = (t: number, profile: BrowserProfile): RequestEvent[] => {
    const e = new Ev('80', 'GET', 1, 'http://127.0.0.1:18102/simple');
    const headers = [h('Origin', PAGE)];
    // No Access-Control-Allow-Origin: Chromium errors (§C case 2), Firefox completes (§E case 2).
    return profile === 'chromium'
      ? [e.br(t), e.sh(t + 1, headers), e.hr(t + 2, 200, []), e.err(t + 3, 'net::ERR_FAILED')]
      : [e.br(t), e.sh(t + 1, headers), e.hr(t + 2, 200, []), e.c(t + 3, 200, [])];
  };
  it.each([
    { profile: 'chromium' as const, observed: { outcome: 'failed', error: 'net::ERR_FAILED' } },
    { profile: 'firefox' as const, observed: { outcome: 'completed' } },
  ])('$profile: blocked simple response fails either way', async ({ profile, observed }) => {
    const s = await capture(profile, simple(1000, profile));
    expect(byId(s, 1).get('80')).toMatchObject({ kind: 'simple', verdict: 'fail', error: 'MissingAllowOriginHeader', observed });
  });
});
