import { describe, expect, it } from 'vitest';
import { fixInputFor, generateFixes, sanitizeFixInput, type FixInput, FIX_TARGETS } from '../../../src/devtools/panel/fixes.ts';
import { APP, mismatch, preflightFail } from './fixtures.ts';

const input: FixInput = { origin: 'https://app.example', methods: ['PUT', 'GET'], headers: ['X-Token', 'content-type'], credentials: true, maxAge: 600 };

describe('generateFixes', () => {
  const fixes = generateFixes(input);

  it('covers the seven servers, in tab order', () => {
    expect(fixes.map((f) => f.label)).toEqual(['Express (cors)', 'Fastify', 'nginx', 'Apache', 'Caddy', 'Spring', 'ASP.NET Core']);
  });

  // Each server's own syntax for origin / methods / headers / credentials / max-age.
  const expectations: [string, string[]][] = [
    ['express', ["require('cors')", "origin: 'https://app.example'", "methods: ['PUT', 'GET']", "allowedHeaders: ['content-type', 'x-token']", 'credentials: true', 'maxAge: 600']],
    ['fastify', ["@fastify/cors", "origin: 'https://app.example'", "allowedHeaders: ['content-type', 'x-token']", 'credentials: true']],
    ['nginx', ['add_header Access-Control-Allow-Origin "https://app.example" always;', 'Access-Control-Allow-Methods "PUT, GET"', 'Access-Control-Allow-Headers "content-type, x-token"', 'Access-Control-Allow-Credentials "true"', 'return 204;', 'Vary']],
    ['apache', ['Header always set Access-Control-Allow-Origin "https://app.example"', 'Access-Control-Allow-Headers "content-type, x-token"', 'R=204']],
    ['caddy', ['header Access-Control-Allow-Origin "https://app.example"', '@preflight method OPTIONS', 'respond 204']],
    ['spring', ['.allowedOrigins("https://app.example")', '.allowedMethods("PUT", "GET")', '.allowedHeaders("content-type", "x-token")', '.allowCredentials(true)', '.maxAge(600)']],
    ['aspnet', ['.WithOrigins("https://app.example")', '.WithMethods("PUT", "GET")', '.WithHeaders("content-type", "x-token")', '.AllowCredentials()', 'app.UseCors("CorsLens")']],
  ];
  it.each(expectations)('%s snippet names the real values', (target, needles) => {
    const code = fixes.find((f) => f.target === target)!.code;
    for (const n of needles) expect(code).toContain(n);
  });

  it('omits credentials and allowed headers when the exchange has none', () => {
    for (const f of generateFixes({ ...input, credentials: false, headers: [] })) {
      expect(f.code.toLowerCase()).not.toMatch(/credentials/);
      expect(f.code.toLowerCase()).not.toMatch(/allow-?headers|allowedheaders|withheaders/);
    }
  });
});

describe('sanitizeFixInput: captured values never reach a config unchecked', () => {
  it.each([
    ['an origin with a quote and directive', 'http://evil.test"; return 200; #', 'https://your-app.example'],
    ['an origin with a path', 'http://app.test/', 'https://your-app.example'],
    ['the null origin', 'null', 'null'],
    ['a normal origin with port', 'http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
  ])('%s', (_name, origin, expected) => {
    expect(sanitizeFixInput({ ...input, origin }).origin).toBe(expected);
  });
  it('drops header names and methods that are not HTTP tokens', () => {
    const s = sanitizeFixInput({ ...input, methods: ['PUT', 'GET\r\nX: y', 'DEL ETE'], headers: ['x-ok', 'bad header', 'x";evil'] });
    expect(s.methods).toEqual(['PUT']);
    expect(s.headers).toEqual(['x-ok']);
  });
  it('every generator is covered', () => {
    expect(FIX_TARGETS).toHaveLength(7);
  });
});

describe('fixInputFor', () => {
  it('takes methods and headers from the preflight it was given', () => {
    const [req, pre] = preflightFail();
    const i = fixInputFor(req, pre);
    expect(i.origin).toBe(APP);
    expect(i.methods).toEqual(['PUT']);
    expect(i.headers).toEqual(['content-type', 'x-token']);
  });
  it('works the same from the preflight side', () => {
    const [req, pre] = preflightFail();
    expect(fixInputFor(pre, req).headers).toEqual(['content-type', 'x-token']);
  });
  it('a simple GET needs only its method', () => {
    const i = fixInputFor(mismatch(), undefined);
    expect(i.methods).toEqual(['GET']);
    expect(i.headers).toEqual([]);
    expect(i.credentials).toBe(false);
  });
});
