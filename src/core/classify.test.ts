import { describe, expect, it } from 'vitest';
import { deriveTriggers, isCorsRequest, isSingleRange, mimeEssence, triggersFromPreflight, type TriggerDetail } from './classify.ts';
import type { BrowserProfile } from './model.ts';
import { A, B, hdrs, request, type Headers } from './testing.ts';

const pub = (ts: TriggerDetail[]) => ts.map((t) => `${t.kind}:${t.value}`);
const triggers = (method: string, h: Headers, profile: BrowserProfile = 'chromium') => pub(deriveTriggers(method, hdrs(h), profile));

describe('preflight triggers derived from a request (Fetch §CORS-unsafe request-header names)', () => {
  it.each<[string, string, Headers, string[]]>([
    ['GET with only browser headers', 'GET', { Accept: '*/*', 'User-Agent': 'x', 'Accept-Language': 'en-US,en;q=0.9', Origin: A, Cookie: 'a=b', 'Sec-Fetch-Mode': 'cors', Referer: `${A}/` }, []],
    ['POST text/plain', 'POST', { 'Content-Type': 'text/plain;charset=UTF-8' }, []],
    ['POST multipart with boundary', 'POST', { 'Content-Type': 'multipart/form-data; boundary=----x' }, []],
    ['POST application/json', 'POST', { 'Content-Type': 'application/json' }, ['content-type:application/json']],
    ['PUT', 'PUT', {}, ['method:PUT']],
    ['patch stays lower-case and is not safelisted', 'patch', {}, ['method:patch']],
    ['get (not normalized here) is not byte-equal to GET', 'get', {}, ['method:get']],
    ['custom header', 'GET', { 'X-Token': 'abc' }, ['header:x-token']],
    ['headers are reported lower-case and sorted', 'DELETE', { 'X-B': '1', 'X-A': '2' }, ['method:DELETE', 'header:x-a', 'header:x-b']],
    ['Authorization is unsafe', 'GET', { Authorization: 'Bearer t' }, ['header:authorization']],
    ['Accept value longer than 128 bytes', 'GET', { Accept: 'a'.repeat(129) }, ['header:accept']],
    ['Accept value of exactly 128 bytes', 'GET', { Accept: 'a'.repeat(128) }, []],
    ['Accept with an unsafe byte', 'GET', { Accept: 'text/html; q="1"' }, ['header:accept']],
    ['Content-Language with "/"', 'GET', { 'Content-Language': 'en/us' }, ['header:content-language']],
    ['Range single range', 'GET', { Range: 'bytes=0-99' }, []],
    ['Range open-ended', 'GET', { Range: 'bytes=100-' }, []],
    ['Range suffix bytes=-500 is not safelisted', 'GET', { Range: 'bytes=-500' }, ['header:range']],
    ['Range multiple ranges', 'GET', { Range: 'bytes=0-1,5-6' }, ['header:range']],
    ['Content-Type with unsafe byte', 'POST', { 'Content-Type': 'text/plain; a="b"' }, ['content-type:text/plain; a="b"']],
    ['three 120-byte safelisted values (360 bytes in total) stay safelisted', 'GET', { Accept: 'a'.repeat(120), 'Accept-Language': 'b'.repeat(120), 'Content-Language': 'c'.repeat(120) }, []],
    ['cache-bypass pair added by DevTools is ignored', 'GET', { Pragma: 'no-cache', 'Cache-Control': 'no-cache' }, []],
    ['Cache-Control alone from a script is unsafe', 'GET', { 'Cache-Control': 'max-age=0' }, ['header:cache-control']],
    ['Chromium safelists client hints such as DPR', 'GET', { DPR: '2' }, []],
  ])('%s', (_n, method, h, expected) => expect(triggers(method, h)).toEqual(expected));

  it('over 1024 bytes in total: all safelisted names become triggers (Fetch 1024-byte rule)', () => {
    const h = hdrs({ Accept: 'a'.repeat(128), 'Accept-Language': 'b'.repeat(128) });
    for (let i = 0; i < 7; i++) h.push({ name: 'Content-Language', value: 'c'.repeat(128) });
    const t = deriveTriggers('GET', h, 'chromium');
    expect(pub(t)).toEqual(['header:accept', 'header:accept-language', 'header:content-language']);
    expect(t[0]!.reason).toContain('more than 1024');
  });

  it('Firefox has no client-hint safelist: DPR triggers a preflight', () => {
    expect(triggers('GET', { DPR: '2' }, 'firefox')).toEqual(['header:dpr']);
  });
});

describe('helpers', () => {
  it.each([
    ['text/plain', 'text/plain'],
    ['Text/Plain; charset=utf-8', 'text/plain'],
    ['application/json', 'application/json'],
    ['nonsense', null],
  ])('mime essence of %s is %s', (v, e) => expect(mimeEssence(v)).toBe(e));
  it.each([
    ['bytes=0-99', true],
    ['bytes=100-', true],
    ['bytes=5-1', false],
    ['bytes=-5', false],
    ['items=0-1', false],
  ])('single range %s → %s', (v, e) => expect(isSingleRange(v)).toBe(e));
});

describe('triggers from an observed preflight are the truth', () => {
  it('uses ACRM/ACRH, not the request headers (browser-added headers are not listed)', () => {
    const pf = hdrs({ 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'content-type,x-token' });
    const main = hdrs({ 'Content-Type': 'application/json', 'X-Token': 't', 'X-Added-By-Extension': '1' });
    expect(pub(triggersFromPreflight(pf, main, 'chromium'))).toEqual(['method:PUT', 'content-type:application/json', 'header:x-token']);
  });
  it('a preflight with nothing to ask for was forced (upload listener / stream body)', () => {
    const pf = hdrs({ 'Access-Control-Request-Method': 'POST' });
    expect(pub(triggersFromPreflight(pf, null, 'chromium'))).toEqual(['other:forced-preflight']);
  });
});

describe('is it a CORS request?', () => {
  it.each<[string, Parameters<typeof request>[0], boolean]>([
    ['cross-origin fetch with Origin', { url: `${B}/x` }, true],
    ['same-origin POST with Origin equal to the target', { url: `${A}/x`, method: 'POST' }, false],
    ['navigation', { url: `${B}/`, type: 'main_frame' }, false],
    ['GET without Origin (image, script)', { url: `${B}/x.png`, origin: null, type: 'image' }, false],
    ['no-cors POST (Sec-Fetch-Mode says so)', { url: `${B}/x`, method: 'POST', headers: { 'Sec-Fetch-Mode': 'no-cors' } }, false],
    ['opaque origin (sandboxed iframe) to anywhere', { url: `${A}/x`, origin: 'null' }, true],
    ['same-origin request redirected cross-origin', { url: `${A}/r`, origin: A, status: 302, response: { Location: `${B}/x` }, redirectTo: `${B}/x`, next: [{ url: `${B}/x` }] }, true],
    ['POST with hidden headers but a cross-origin initiator on a fetch', { url: `${B}/x`, method: 'POST', origin: null, initiator: A }, true],
  ])('%s → %s', (_n, spec, cors) => expect(isCorsRequest(request(spec), false)).toBe(cors));
});
