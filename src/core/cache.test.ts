import { describe, expect, it } from 'vitest';
import { cacheCovers, effectiveMaxAge, type PreflightCacheEntry } from './cache.ts';
import { A, B } from './testing.ts';

describe('effective Access-Control-Max-Age per browser', () => {
  it.each<[string | null, number, number]>([
    // header, Chromium, Firefox
    [null, 5, 5],
    ['600', 600, 600],
    ['0', 0, 0],
    ['7200', 7200, 7200],
    ['7201', 7200, 7201],
    ['86400', 7200, 86400],
    ['100000', 7200, 86400],
    ['-1', 0, 0],
    ['600.5', 5, 0],
    ['ten', 5, 0],
    ['', 5, 0],
    ['600, 600', 5, 0],
  ])('Max-Age %s → Chromium %d s, Firefox %d s', (h, chromium, firefox) => {
    expect(effectiveMaxAge(h, 'chromium')).toBe(chromium);
    expect(effectiveMaxAge(h, 'firefox')).toBe(firefox);
  });
});

describe('can a later request be served from an earlier preflight?', () => {
  const entry: PreflightCacheEntry = {
    preflightId: 'p1',
    origin: A,
    url: `${B}/api`,
    credentials: false,
    methods: ['PUT'],
    headers: ['x-token'],
    createdMs: 1000,
    expiresMs: 1000 + 600_000,
  };
  const q = { origin: A, url: `${B}/api`, credentials: false, method: 'PUT', unsafeHeaders: ['x-token'], atMs: 2000 };
  it.each<[string, Partial<typeof q>, Partial<PreflightCacheEntry>, boolean]>([
    ['same request inside Max-Age', {}, {}, true],
    ['after Max-Age', { atMs: 1000 + 600_000 }, {}, false],
    ['other URL', { url: `${B}/other` }, {}, false],
    ['other origin', { origin: B }, {}, false],
    ['credentialed request, entry without credentials', { credentials: true }, {}, false],
    ['uncredentialed request, entry with credentials', {}, { credentials: true }, true],
    ['method not listed', { method: 'DELETE' }, {}, false],
    ['safelisted method needs no entry', { method: 'POST' }, {}, true],
    ['header not listed', { unsafeHeaders: ['x-other'] }, {}, false],
    ['* covers any header without credentials', { unsafeHeaders: ['x-other'] }, { headers: ['*'] }, true],
    ['* is literal for an entry with credentials', { unsafeHeaders: ['x-other'], credentials: true }, { headers: ['*'], credentials: true }, false],
  ])('%s → %s', (_n, qq, e, covered) => expect(cacheCovers({ ...entry, ...e }, { ...q, ...qq })).toBe(covered));
});
