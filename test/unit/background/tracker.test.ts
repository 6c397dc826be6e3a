/**
 * RequestTracker (src/core/tracker.ts): one record per requestId, released on every terminal
 * path. Event sequences follow browser-facts §C/§E.
 */
import { describe, expect, it } from 'vitest';
import type { RequestEvent } from '../../../src/core/events.ts';
import { RequestTracker } from '../../../src/core/tracker.ts';

const API = 'http://127.0.0.1:18102/r';
const PAGE = 'http://127.0.0.1:18101';

const br = (id: string, t: number, over: Partial<Extract<RequestEvent, { event: 'before-request' }>> = {}): RequestEvent => ({
  event: 'before-request',
  requestId: id,
  url: API,
  method: 'GET',
  tabId: 1,
  resourceType: 'xmlhttprequest',
  initiator: PAGE,
  timeStamp: t,
  ...over,
});
const sh = (id: string, t: number, url = API, method = 'GET'): RequestEvent => ({
  event: 'send-headers',
  requestId: id,
  url,
  method,
  requestHeaders: [{ name: 'Origin', value: PAGE }],
  timeStamp: t,
});
const hr = (id: string, t: number, status = 200, url = API): RequestEvent => ({
  event: 'headers-received',
  requestId: id,
  url,
  statusCode: status,
  statusLine: `HTTP/1.1 ${status} OK`,
  responseHeaders: [{ name: 'Access-Control-Allow-Origin', value: PAGE }],
  timeStamp: t,
});
const done = (id: string, t: number, url = API): RequestEvent => ({
  event: 'completed',
  requestId: id,
  url,
  statusCode: 200,
  statusLine: 'HTTP/1.1 200 OK',
  responseHeaders: [{ name: 'Access-Control-Allow-Origin', value: PAGE }],
  fromCache: false,
  timeStamp: t,
});
const err = (id: string, t: number, error: string): RequestEvent => ({ event: 'error', requestId: id, url: API, error, timeStamp: t });

function run(events: RequestEvent[]): { tracker: RequestTracker; finished: NonNullable<ReturnType<RequestTracker['handle']>>[] } {
  const tracker = new RequestTracker();
  const finished = [];
  for (const e of events) {
    const r = tracker.handle(e);
    if (r) finished.push(r);
  }
  return { tracker, finished };
}

describe('RequestTracker terminal paths', () => {
  it('completed: one request, headers and response kept, released', () => {
    const { tracker, finished } = run([br('1', 10), sh('1', 11), hr('1', 12), done('1', 13)]);
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({
      id: '1',
      tabId: 1,
      initiator: PAGE,
      outcome: { outcome: 'completed' },
      hops: [{ url: API, method: 'GET', status: 200, statusText: 'OK', startedMs: 10, endedMs: 13, requestHeaders: [{ name: 'Origin', value: PAGE }] }],
    });
    expect(tracker.inFlight).toBe(0);
  });

  it.each([
    { browser: 'Chromium, response check failed (§C case 2)', events: [br('1', 10), sh('1', 11), hr('1', 12), err('1', 13, 'net::ERR_FAILED')], status: 200, error: 'net::ERR_FAILED' },
    { browser: 'Chromium, preflight failed: never sent (§C case 4)', events: [br('1', 10), err('1', 20, 'net::ERR_FAILED')], status: 0, error: 'net::ERR_FAILED' },
    { browser: 'Firefox, preflight failed (§E case 4)', events: [br('1', 10), sh('1', 11), err('1', 20, 'NS_ERROR_DOM_BAD_URI')], status: 0, error: 'NS_ERROR_DOM_BAD_URI' },
  ])('error: $browser', ({ events, status, error }) => {
    const { tracker, finished } = run(events);
    expect(finished).toHaveLength(1);
    expect(finished[0]!.outcome).toEqual({ outcome: 'failed', error });
    expect(finished[0]!.hops[0]!.status).toBe(status);
    expect(tracker.inFlight).toBe(0);
  });

  it('redirect chain: one id, one hop per redirect, method rules of Fetch §HTTP-redirect fetch', () => {
    const mid = 'http://127.0.0.1:18103/mid';
    const end = 'http://127.0.0.1:18104/final';
    const redirect = (t: number, from: string, to: string, status: number): RequestEvent => ({
      event: 'redirect',
      requestId: '1',
      url: from,
      statusCode: status,
      statusLine: `HTTP/1.1 ${status} Moved`,
      responseHeaders: [{ name: 'Location', value: to }],
      redirectUrl: to,
      timeStamp: t,
    });
    const { tracker, finished } = run([
      br('1', 10, { method: 'POST' }),
      sh('1', 11, API, 'POST'),
      hr('1', 12, 302),
      redirect(13, API, mid, 302),
      br('1', 14, { url: mid, method: 'GET' }),
      sh('1', 15, mid, 'GET'),
      redirect(16, mid, end, 307),
      br('1', 17, { url: end, method: 'GET' }),
      done('1', 18, end),
    ]);
    expect(finished).toHaveLength(1);
    const r = finished[0]!;
    expect(r.hops.map((h) => [h.url, h.method, h.status, h.redirectURL])).toEqual([
      [API, 'POST', 302, mid],
      [mid, 'GET', 307, end],
      [end, 'GET', 200, null],
    ]);
    expect(r.hops[1]!.startedMs).toBe(13);
    expect(tracker.inFlight).toBe(0);
  });

  it('unknown id (worker restarted mid-request): a record is started from what the event says', () => {
    const { finished } = run([hr('9', 12), done('9', 13)]);
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ id: '9', tabId: null, resourceType: 'other', initiator: null, outcome: { outcome: 'completed' } });
    expect(finished[0]!.hops[0]).toMatchObject({ url: API, method: 'GET', status: 200 });
  });

  it('interleaved ids stay apart (Firefox sends the request headers before the preflight, §E case 3)', () => {
    const opt = (e: RequestEvent): RequestEvent => ({ ...e, requestId: '2' });
    const { finished } = run([
      br('1', 10, { method: 'PUT' }),
      sh('1', 11, API, 'PUT'),
      opt(br('2', 12, { method: 'OPTIONS' })),
      opt(sh('2', 13, API, 'OPTIONS')),
      opt(hr('2', 14, 204)),
      opt(done('2', 15)),
      hr('1', 16),
      done('1', 17),
    ]);
    expect(finished.map((r) => [r.id, r.hops[0]!.method])).toEqual([
      ['2', 'OPTIONS'],
      ['1', 'PUT'],
    ]);
  });

  it('get returns an in-flight request by id (with its request headers), nothing once finished', () => {
    const { tracker } = run([br('1', 10), sh('1', 11)]);
    expect(tracker.get('1')?.hops[0]!.requestHeaders.length).toBeGreaterThan(0);
    expect(tracker.get('nope')).toBeUndefined();
    tracker.handle(done('1', 12));
    expect(tracker.get('1')).toBeUndefined();
  });

  it('drain releases everything in flight as incomplete; inFlightRequests only looks', () => {
    const { tracker } = run([br('1', 10), sh('1', 11), br('2', 12)]);
    expect(tracker.inFlightRequests().map((r) => r.id)).toEqual(['1', '2']);
    expect(tracker.inFlight).toBe(2);
    const drained = tracker.drain();
    expect(drained.map((r) => [r.id, r.outcome.outcome])).toEqual([
      ['1', 'incomplete'],
      ['2', 'incomplete'],
    ]);
    expect(tracker.inFlight).toBe(0);
    expect(tracker.drain()).toEqual([]);
  });
});
