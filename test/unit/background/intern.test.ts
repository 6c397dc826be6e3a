/**
 * The string and header-line pools of src/platform/intern.ts: equal values come back as one
 * shared copy, shared lines cannot be written to, and both pools stay within their bound.
 */
import { describe, expect, it } from 'vitest';
import { HeaderPool, StringPool } from '../../../src/platform/intern.ts';
import { fromChromium } from '../../../src/platform/webrequest.ts';

/** A fresh copy of `s` (not the same string object as the literal). */
const copy = (s: string): string => s.split('').join('');

describe('StringPool', () => {
  it('returns the first copy of an equal string, and null as null', () => {
    const p = new StringPool();
    const a = copy('http://127.0.0.1:8080');
    expect(p.intern(copy('http://127.0.0.1:8080'))).toBe(p.intern(a));
    expect(p.intern(null)).toBeNull();
  });

  it('stays within its bound', () => {
    const p = new StringPool(100);
    for (let i = 0; i < 1000; i++) p.intern(`v${i}`);
    expect(p.size).toBeLessThanOrEqual(100);
  });
});

describe('HeaderPool', () => {
  it('shares one frozen line per name and value', () => {
    const p = new HeaderPool();
    const a = p.line(copy('Origin'), copy('http://a.test'));
    const b = p.line(copy('Origin'), copy('http://a.test'));
    expect(b).toBe(a);
    expect(b).toEqual({ name: 'Origin', value: 'http://a.test' });
    expect(Object.isFrozen(a)).toBe(true);
    expect(() => {
      (a as { value: string }).value = 'x';
    }).toThrow(TypeError);
    // Same name, other value: a line of its own that shares the name's copy.
    const c = p.line(copy('Origin'), 'http://b.test');
    expect(c.value).toBe('http://b.test');
    expect(c.name).toBe(a.name);
  });

  it('stays within its bound', () => {
    const p = new HeaderPool(50);
    for (let i = 0; i < 1000; i++) p.line(`X-${i % 7}`, `v${i}`);
    expect(p.size).toBeLessThanOrEqual(50);
    expect(p.line('X-1', 'v1')).toEqual({ name: 'X-1', value: 'v1' });
  });

  it('is what the webRequest conversion hands out', () => {
    const raw = { requestId: '1', url: 'http://a.test/', method: 'GET', timeStamp: 1, requestHeaders: [{ name: 'Accept', value: '*/*' }] };
    const one = fromChromium('send-headers', raw);
    const two = fromChromium('send-headers', { ...raw, requestId: '2', requestHeaders: [{ name: copy('Accept'), value: copy('*/*') }] });
    if (one.event !== 'send-headers' || two.event !== 'send-headers') throw new Error('unexpected event');
    expect(two.requestHeaders[0]).toBe(one.requestHeaders[0]);
  });
});
