import { describe, expect, it } from 'vitest';
import { applyFilter, countEntries, EMPTY_FILTER, indexById, targetOrigins } from '../../../src/devtools/panel/lib/filters.ts';
import { dragToRange, layoutTimeline, timeRange } from '../../../src/devtools/panel/lib/timeline.ts';
import { shellQuote, toCurl } from '../../../src/devtools/panel/lib/curl.ts';
import { buildEvidence, buildSequence, errorSite } from '../../../src/devtools/panel/lib/sequence.ts';
import { splitUrl, formatDuration, originOf, originPair } from '../../../src/devtools/panel/lib/format.ts';
import { parseParams, themeFromName } from '../../../src/devtools/panel/lib/query.ts';
import { avoidablePreflights } from '../../../src/devtools/panel/lib/cache.ts';
import { mergeEntries } from '../../../src/devtools/panel/store.ts';
import { API, APP, entry, h, hop, mismatch, preflightFail, simplePass, T0 } from './fixtures.ts';

const [req, pre] = preflightFail();
const sameOrigin = entry('n1', [hop({ url: `${APP}/page` })], { kind: 'not-cors', verdict: 'n/a' });
const all = [simplePass(), mismatch(), req, pre, sameOrigin];
const byId = indexById(all);
const ids = (xs: { cors: { id: string } }[]) => xs.map((x) => x.cors.id);

describe('applyFilter', () => {
  it.each([
    ['default hides not-cors', {}, ['s1', 'm1', 'r1', 'p1']],
    ['showNotCors', { showNotCors: true }, ['s1', 'm1', 'r1', 'p1', 'n1']],
    ['failed only (the preflight of a failed request stays)', { failedOnly: true }, ['m1', 'r1', 'p1']],
    ['preflighted only', { preflightedOnly: true }, ['r1', 'p1']],
    ['target origin', { targetOrigin: API }, ['s1', 'm1', 'r1', 'p1']],
    ['target origin with no match', { targetOrigin: 'http://other.test' }, []],
    ['text: error code, any case', { text: 'alloworiginmismatch' }, ['m1']],
    ['text: URL path', { text: '/items' }, ['r1', 'p1']],
    ['text: method', { text: 'PUT' }, ['r1']],
  ])('%s', (_n, f, expected) => {
    expect(ids(applyFilter(all, { ...EMPTY_FILTER, ...f }, byId))).toEqual(expected);
  });
  it('a time range keeps what overlaps it', () => {
    expect(ids(applyFilter(all, EMPTY_FILTER, byId, { from: T0 + 25, to: T0 + 50 }))).toEqual(['m1']);
  });
});

describe('counters and origins', () => {
  it('counts an imported capture like the background does', () => {
    expect(countEntries(all)).toEqual({ crossOrigin: 3, passed: 1, failed: 2, preflights: 1, cacheHits: 0, dropped: 0 });
  });
  it('lists target origins of CORS entries only', () => {
    expect(targetOrigins(all)).toEqual([API]);
  });
});

describe('mergeEntries', () => {
  it('replaces a re-judged entry in place and sorts late arrivals by start time', () => {
    const a = simplePass('a', T0 + 10);
    const b = simplePass('b', T0 + 20);
    const late = simplePass('late', T0 + 15);
    const rejudged = { ...a, cors: { ...a.cors, verdict: 'fail' as const } };
    const out = mergeEntries([a, b], [rejudged, late]);
    expect(ids(out)).toEqual(['a', 'late', 'b']);
    expect(out[0]!.cors.verdict).toBe('fail');
  });
});

describe('timeline layout', () => {
  it('puts a preflight on its request’s lane and joins them', () => {
    const l = layoutTimeline([simplePass(), req, pre], byId);
    const bar = (id: string) => l.bars.find((b) => b.id === id)!;
    expect(bar('p1').lane).toBe(bar('r1').lane);
    expect(bar('p1').joinsTo).toBe('r1');
    expect(bar('r1').failed).toBe(true);
    expect(l.range.from).toBe(T0);
  });
  it('spans every start and end; an empty or instant capture still has a width', () => {
    expect(timeRange(all)).toEqual(layoutTimeline(all, byId).range);
    expect(timeRange([])).toEqual({ from: 0, to: 1 });
    const instant = entry('i1', [hop({ url: `${API}/i`, startedMs: T0, endedMs: T0 })]);
    expect(timeRange([instant])).toEqual({ from: T0, to: T0 + 1 });
  });
  it('a drag becomes a range; a click does not', () => {
    expect(dragToRange(10, 12, { from: 0, to: 100 }, 100)).toBeNull();
    expect(dragToRange(60, 20, { from: 0, to: 100 }, 100)).toEqual({ from: 20, to: 60 });
  });
});

describe('cURL', () => {
  it('single-quotes everything so header values cannot run commands', () => {
    expect(shellQuote(`it's $(rm -rf /)`)).toBe(`'it'\\''s $(rm -rf /)'`);
    const c = toCurl(pre.request.hops[0]!);
    expect(c).toContain(`curl 'http://api.test/items'`);
    expect(c).toContain(`-X 'OPTIONS'`);
    expect(c).toContain(`-H 'Access-Control-Request-Headers: content-type,x-token'`);
  });
});

describe('sequence diagram model', () => {
  it.each([
    ['AllowOriginMismatch', 'response', 'Access-Control-Allow-Origin'],
    ['PreflightMissingAllowOriginHeader', 'preflight', 'Access-Control-Allow-Origin'],
    ['MethodDisallowedByPreflightResponse', 'preflight', 'Access-Control-Allow-Methods'],
    ['InvalidAllowCredentials', 'response', 'Access-Control-Allow-Credentials'],
    ['PreflightInvalidStatus', 'preflight', 'status'],
    ['RedirectContainsCredentials', 'redirect', 'Location'],
  ])('%s breaks the %s at %s', (code, phase, header) => {
    expect(errorSite(code)).toEqual({ phase, header });
  });

  it('a preflight failure: red preflight answer naming the header, then "never sent"', () => {
    const steps = buildSequence(req, pre);
    expect(steps.map((s) => s.dir)).toEqual(['to-server', 'to-browser', 'note']);
    expect(steps[0]!.headers.map((x) => x.name)).toEqual(['Origin', 'Access-Control-Request-Method', 'Access-Control-Request-Headers']);
    expect(steps[1]!.broken).toBe(true);
    expect(steps[1]!.failingLabel).toBe('failing: Access-Control-Allow-Headers');
    expect(steps[1]!.headers.find((x) => x.failing)?.name).toBe('Access-Control-Allow-Headers');
    expect(steps[2]!.title).toMatch(/never sent/);
  });

  it('a response failure: the response arrow is red, a missing header shows as (absent)', () => {
    const noAcao = entry('x', [hop({ url: `${API}/none`, requestHeaders: h({ Origin: APP }), responseHeaders: h({ 'Content-Type': 'text/plain' }) })], { verdict: 'fail', error: 'MissingAllowOriginHeader' });
    const steps = buildSequence(noAcao, undefined);
    const answer = steps.find((s) => s.dir === 'to-browser')!;
    expect(answer.broken).toBe(true);
    expect(answer.headers).toContainEqual({ name: 'Access-Control-Allow-Origin', value: '(absent)', failing: true });
  });

  it('redirect hops become extra arrows', () => {
    const r = entry('rd', [
      hop({ url: `${API}/a`, status: 302, redirectURL: 'http://c.test/final', requestHeaders: h({ Origin: APP }), responseHeaders: h({ Location: 'http://c.test/final', 'Access-Control-Allow-Origin': APP }) }),
      hop({ url: 'http://c.test/final', requestHeaders: h({ Origin: 'null' }), responseHeaders: h({ 'Access-Control-Allow-Origin': 'null' }) }),
    ]);
    const titles = buildSequence(r, undefined).map((s) => s.title);
    expect(titles).toEqual(['GET /a', '302 OK → http://c.test/final', 'GET /final (after redirect 1)', '200 OK']);
  });

  it('evidence puts expected and received side by side and marks the deciding row', () => {
    const rows = buildEvidence(mismatch(), undefined);
    expect(rows).toEqual([{ check: 'Access-Control-Allow-Origin', expected: `${APP} or *`, received: `${APP}/`, failing: true }]);
    const pf = buildEvidence(req, pre);
    expect(pf.find((r) => r.failing)).toMatchObject({ check: 'Access-Control-Allow-Headers', expected: 'includes content-type,x-token', received: 'content-type' });
  });
});

describe('small helpers', () => {
  it.each([
    ['http://api.test:8080/a/b?c=1#d', { origin: 'http://api.test:8080', path: '/a/b?c=1#d' }],
    ['not a url', { origin: '', path: 'not a url' }],
  ])('splitUrl(%s)', (u, parts) => expect(splitUrl(u)).toEqual(parts));
  // originOf parses only the authority of ordinary URLs; whatever the URL parser would rewrite
  // must still come out as the full parse's origin.
  it.each([
    ['https://API.Example.test:443/a?b#c', 'https://api.example.test'],
    ['http://user:pw@api.test:8080/x', 'http://api.test:8080'],
    ['http://api.test?q=1', 'http://api.test'],
    ['http://api.test#frag', 'http://api.test'],
    ['http://api.test', 'http://api.test'],
    ['http://api.test\\path', 'http://api.test'],
    ['http:///api.test/x', 'http://api.test'],
    ['http://api.\ttest/x', 'http://api.test'],
    ['  http://api.test/x', 'http://api.test'],
    ['wss://live.test/socket', 'wss://live.test'],
    ['http://exa mple.test/', ''],
    ['file:///etc/hosts', 'file://'],
    ['not a url', ''],
  ])('originOf(%j) = %j', (u, origin) => expect(originOf(u)).toBe(origin));
  it.each([
    [null, '—'],
    [12.4, '12 ms'],
    [1500, '1.50 s'],
  ])('formatDuration(%s) = %s', (ms, s) => expect(formatDuration(ms)).toBe(s));
  it.each([
    ['?tabId=12&theme=dark', { tabId: 12, theme: 'dark' }],
    ['?tabId=abc&theme=blue', { tabId: null, theme: null }],
    ['', { tabId: null, theme: null }],
  ])('parseParams(%s)', (q, p) => expect(parseParams(q)).toEqual(p));
  it.each([
    ['default', 'light'], // Chromium's light theme
    ['dark', 'dark'],
    ['light', 'light'], // Firefox
    ['firebug', 'light'], // Firefox's Firebug theme is light
    [undefined, null], // not in DevTools: the caller falls back to prefers-color-scheme
    ['solarized', null],
  ] as const)('DevTools theme name %s → %s', (name, theme) => expect(themeFromName(name)).toBe(theme));
  it('counts repeated identical preflights a longer Max-Age would have saved', () => {
    const again = { ...pre, request: { ...pre.request, id: 'p2', hops: [{ ...pre.request.hops[0]!, startedMs: T0 + 5000 }] }, cors: { ...pre.cors, id: 'p2' } };
    const much_later = { ...pre, request: { ...pre.request, id: 'p3', hops: [{ ...pre.request.hops[0]!, startedMs: T0 + 9_000_000 }] }, cors: { ...pre.cors, id: 'p3' } };
    expect(avoidablePreflights(pre, [pre, again, much_later], 7200)).toBe(1);
  });
});

describe('originPair', () => {
  it.each([
    ['http://a.test', 'http://b.test:81', 'a.test → b.test:81'],
    ['http://a.test', 'https://b.test', 'http://a.test → https://b.test'],
    ['null', 'http://b.test', 'null → http://b.test'],
  ])('%s → %s', (a, b, s) => expect(originPair(a, b)).toBe(s));
});
