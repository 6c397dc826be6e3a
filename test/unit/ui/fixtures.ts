/**
 * Readable builders for panel/popup tests: an exchange is described by what a developer would say
 * ("PUT from app.test to api.test with X-Token, preflight 204 without ACAH") instead of raw JSON.
 */
import type { AnalyzedEntry, CorsAnnotation } from '../../../src/core/annotation.ts';
import type { HeaderEntry, ObservedRequest, RequestHop } from '../../../src/core/model.ts';
import type { PanelInbound, PanelOutbound, Reply, Request, Result, TabCounters } from '../../../src/shared/messages.ts';
import { DEFAULT_SETTINGS } from '../../../src/shared/messages.ts';
import type { PanelEngine, PanelTransport } from '../../../src/devtools/panel/types.ts';

export const APP = 'http://app.test';
export const API = 'http://api.test';
export const T0 = 1_700_000_000_000;

export function h(pairs: Record<string, string>): HeaderEntry[] {
  return Object.entries(pairs).map(([name, value]) => ({ name, value }));
}

export function hop(p: Partial<RequestHop> & { url: string }): RequestHop {
  return { method: 'GET', requestHeaders: [], status: 200, statusText: 'OK', responseHeaders: [], redirectURL: null, startedMs: T0, endedMs: T0 + 20, ...p };
}

export function annotation(id: string, p: Partial<CorsAnnotation> = {}): CorsAnnotation {
  return {
    id,
    kind: 'simple',
    verdict: 'pass',
    error: null,
    failedParameter: null,
    firefoxReason: null,
    message: 'The response allowed this origin.',
    fix: '',
    warnings: [],
    pairedWith: null,
    preflightTriggers: [],
    preflightCache: null,
    credentials: 'omit',
    credentialsInferred: true,
    exposedHeaders: ['content-type'],
    origin: APP,
    observed: { outcome: 'completed' },
    ...p,
  };
}

export function entry(id: string, hops: RequestHop[], cors: Partial<CorsAnnotation> = {}, req: Partial<ObservedRequest> = {}): AnalyzedEntry {
  return {
    request: { id, tabId: 7, resourceType: 'fetch', initiator: APP, hops, outcome: { outcome: 'completed' }, ...req },
    cors: annotation(id, cors),
  };
}

/** GET /ok: simple, passes. */
export function simplePass(id = 's1', at = T0): AnalyzedEntry {
  return entry(id, [hop({ url: `${API}/ok`, startedMs: at, endedMs: at + 15, requestHeaders: h({ Origin: APP }), responseHeaders: h({ 'Access-Control-Allow-Origin': APP }) })]);
}

/** GET /slash: ACAO with a trailing slash → AllowOriginMismatch. */
export function mismatch(id = 'm1', at = T0 + 30): AnalyzedEntry {
  return entry(
    id,
    [hop({ url: `${API}/slash?x=1`, startedMs: at, endedMs: at + 12, requestHeaders: h({ Origin: APP }), responseHeaders: h({ 'Access-Control-Allow-Origin': `${APP}/`, 'Content-Type': 'application/json' }) })],
    {
      verdict: 'fail',
      error: 'AllowOriginMismatch',
      failedParameter: `${APP}/`,
      firefoxReason: 'CORSAllowOriginNotMatchingOrigin',
      message: `The 'Access-Control-Allow-Origin' header has a value '${APP}/' that is not equal to the supplied origin '${APP}'.`,
      fix: `Send Access-Control-Allow-Origin: ${APP} (no trailing slash).`,
      exposedHeaders: null,
      observed: { outcome: 'failed', error: 'net::ERR_FAILED' },
    },
    { outcome: { outcome: 'failed', error: 'net::ERR_FAILED' } },
  );
}

/** PUT /items with X-Token: the preflight's ACAH lacks x-token → HeaderDisallowedByPreflightResponse. */
export function preflightFail(at = T0 + 60): [AnalyzedEntry, AnalyzedEntry] {
  const pre = entry(
    'p1',
    [
      hop({
        url: `${API}/items`,
        method: 'OPTIONS',
        status: 204,
        statusText: 'No Content',
        startedMs: at + 1,
        endedMs: at + 6,
        requestHeaders: h({ Origin: APP, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'content-type,x-token' }),
        responseHeaders: h({ 'Access-Control-Allow-Origin': APP, 'Access-Control-Allow-Methods': 'GET, PUT', 'Access-Control-Allow-Headers': 'content-type' }),
      }),
    ],
    { kind: 'preflight', verdict: 'fail', pairedWith: 'r1', error: 'HeaderDisallowedByPreflightResponse', failedParameter: 'x-token', message: 'Preflight did not allow x-token.', preflightCache: { maxAgeHeader: null, effectiveSeconds: 5, browserCapSeconds: 7200 }, preflightTriggers: [{ kind: 'header', value: 'x-token' }], exposedHeaders: null },
    { resourceType: 'preflight' },
  );
  const req = entry(
    'r1',
    [hop({ url: `${API}/items`, method: 'PUT', status: 0, statusText: '', startedMs: at, endedMs: at + 7, responseHeaders: null, requestHeaders: h({ 'Content-Type': 'application/json', 'X-Token': 'abc' }) })],
    {
      kind: 'preflighted',
      verdict: 'fail',
      pairedWith: 'p1',
      error: 'HeaderDisallowedByPreflightResponse',
      failedParameter: 'x-token',
      firefoxReason: 'CORSMissingAllowHeaderFromPreflight',
      message: 'Request header field x-token is not allowed by Access-Control-Allow-Headers in preflight response.',
      fix: 'Add x-token to Access-Control-Allow-Headers in the preflight response.',
      preflightTriggers: [
        { kind: 'method', value: 'PUT' },
        { kind: 'content-type', value: 'application/json' },
        { kind: 'header', value: 'x-token' },
      ],
      exposedHeaders: null,
      observed: { outcome: 'failed', error: 'net::ERR_FAILED' },
    },
    { outcome: { outcome: 'failed', error: 'net::ERR_FAILED' } },
  );
  return [req, pre];
}

export function counters(p: Partial<TabCounters> = {}): TabCounters {
  return { crossOrigin: 0, passed: 0, failed: 0, preflights: 0, cacheHits: 0, dropped: 0, ...p };
}

/** A fake "wall": records what the panel sends, lets the test push background messages. */
export class FakeTransport implements PanelTransport {
  sent: PanelOutbound[] = [];
  requests: Request[] = [];
  connects: number[] = [];
  closed = 0;
  private onMessage: ((m: PanelInbound) => void) | null = null;
  private onDisconnect: (() => void) | null = null;
  replies: Partial<{ [K in Request['type']]: Result<unknown> }> = {};

  connect(tabId: number, onMessage: (m: PanelInbound) => void, onDisconnect: () => void) {
    this.connects.push(tabId);
    this.onMessage = onMessage;
    this.onDisconnect = onDisconnect;
    return { send: (m: PanelOutbound) => this.sent.push(m), close: () => this.closed++ };
  }
  async request<R extends Request>(req: R): Promise<Result<Reply<R>>> {
    this.requests.push(req);
    return (this.replies[req.type] ?? { ok: false, error: 'no fake reply' }) as Result<Reply<R>>;
  }
  push(m: PanelInbound): void {
    this.onMessage?.(m);
  }
  drop(): void {
    this.onDisconnect?.();
  }
}

/**
 * A fake engine: parseHar reads `{requests: [...]}` JSON (throws on anything else, like the real
 * reader), analyze judges a request by one rule so what-if tests can flip a verdict: it passes
 * when its last response's ACAO equals its Origin.
 */
export const fakeEngine: PanelEngine = {
  judge(request, preflight, browser) {
    const out = this.analyze([preflight, request].filter((r): r is ObservedRequest => r !== null), browser);
    const find = (r: ObservedRequest | null) => (r ? (out.find((e) => e.request.id === r.id)?.cors ?? null) : null);
    return { request: find(request), preflight: find(preflight) };
  },
  parseHar(text) {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      throw new Error('not JSON: Unexpected token');
    }
    const reqs = (v as { requests?: ObservedRequest[] }).requests;
    if (!Array.isArray(reqs)) throw new Error('log: missing (not a HAR file)');
    return reqs;
  },
  analyze(requests) {
    return requests.map((r) => {
      const last = r.hops[r.hops.length - 1]!;
      const origin = r.hops[0]!.requestHeaders.find((x) => x.name.toLowerCase() === 'origin')?.value ?? APP;
      const acao = last.responseHeaders?.find((x) => x.name.toLowerCase() === 'access-control-allow-origin')?.value;
      const pass = acao === origin || acao === '*';
      return {
        request: r,
        cors: annotation(r.id, pass ? { verdict: 'pass', message: 'What-if: allowed.' } : { verdict: 'fail', error: acao ? 'AllowOriginMismatch' : 'MissingAllowOriginHeader', message: `What-if: blocked (ACAO ${acao ?? 'absent'}).` }),
      };
    });
  },
};

export function snapshot(entries: AnalyzedEntry[], c: Partial<TabCounters> = {}): PanelInbound {
  return { type: 'snapshot', tabId: 7, entries, counters: counters(c), settings: DEFAULT_SETTINGS };
}
