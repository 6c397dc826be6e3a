/**
 * Hostile and huge values in plain Node (issue 7 items 2 and 3): the engine, the HAR reader and
 * the CLI (in-process, src/cli/run.ts) given markup, control characters, terminal escapes,
 * 1 MB values, thousands of headers, non-ASCII, invalid UTF-8, deeply nested and otherwise
 * broken JSON. Nothing throws past its boundary, the verdict is still the right one, and the
 * CLI answers every bad file with one line and exit 2.
 *
 * The live counterpart (the same payloads served by test/harness/hostile-server.mjs, shown in
 * the panel and the popup) is test/e2e/hostile.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, type CliIO } from '../../../src/cli/run.ts';
import { analyzeCapture } from '../../../src/core/analyze.ts';
import { HarError, parseHar } from '../../../src/core/har/read.ts';
import { stringifyHar, toAnnotatedHar } from '../../../src/core/har/write.ts';
import { BROWSER_PROFILES } from '../../../src/core/model.ts';
import { A, B, preflight, request } from '../../../src/core/testing.ts';
import { HOSTILE_VALUES } from '../../harness/hostile-server.mjs';
import { contractProblems } from '../property/contract.ts';

const MB = 1024 * 1024;
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cors-lens-hostile-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function harText(entries: unknown[]): string {
  return JSON.stringify({ log: { version: '1.2', creator: { name: 'hostile', version: '1' }, entries } });
}

function entry(url: string, reqHeaders: [string, string][], resHeaders: [string, string][], status = 200): unknown {
  return {
    startedDateTime: '2026-11-24T23:59:01.000Z',
    time: 1,
    request: { method: 'GET', url, httpVersion: 'HTTP/1.1', headers: reqHeaders.map(([name, value]) => ({ name, value })), cookies: [], queryString: [], headersSize: -1, bodySize: 0 },
    response: { status, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: resHeaders.map(([name, value]) => ({ name, value })), cookies: [], content: { size: 0, mimeType: 'text/plain' }, redirectURL: '', headersSize: -1, bodySize: 0 },
    cache: {},
    timings: { send: 0, wait: 1, receive: 0 },
  };
}

async function cli(args: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (out += s), isTTY: false },
    stderr: { write: (s: string) => (err += s), isTTY: false },
    stdin: Readable.from([stdin]),
    env: {},
  };
  const code = await run(args, io, analyzeCapture, 'test');
  return { code, out, err };
}

describe('the engine with hostile header values', () => {
  // Each hostile value as the Access-Control-Allow-Origin of a response to a page at A: never
  // equal to A, so Chromium blocks the response; the engine must say so and not throw.
  it.each(HOSTILE_VALUES.map((p) => [p.name, p.value] as const))('ACAO %s: judged fail, contract kept, the value kept verbatim', (_name, value) => {
    for (const browser of BROWSER_PROFILES) {
      const [e] = analyzeCapture([request({ url: `${B}/x`, response: { 'Access-Control-Allow-Origin': value } })], { browser });
      expect(e!.cors.verdict).toBe('fail');
      expect(contractProblems(e!.cors)).toEqual([]);
      // The engine reports, it does not sanitise: escaping is the renderer's job, and the report
      // must show exactly what the server sent.
      if (e!.cors.failedParameter !== null && e!.cors.failedParameter !== '') expect(value).toContain(e!.cors.failedParameter.trim());
    }
  });

  it('a 1 MB header value and 5,000 header lines: still the right verdicts', () => {
    const big = 'x'.repeat(MB);
    const many = Array.from({ length: 5000 }, (_, i) => [`X-Junk-${i}`, `v${i}`] as const);
    const reqs = [
      request({ id: 'big-acao', url: `${B}/big`, response: { 'Access-Control-Allow-Origin': big } }),
      request({ id: 'many-ok', url: `${B}/many`, response: { ...Object.fromEntries(many), 'Access-Control-Allow-Origin': A } }),
      request({ id: 'big-req', url: `${B}/big-req`, headers: { 'X-Big': big }, response: { 'Access-Control-Allow-Origin': '*' } }),
      preflight({ id: 'pf', url: `${B}/put`, acrm: 'PUT', acrh: Array.from({ length: 2000 }, (_, i) => `x-h${i}`).join(','), response: { 'Access-Control-Allow-Origin': A, 'Access-Control-Allow-Methods': 'PUT', 'Access-Control-Allow-Headers': '*' } }),
    ];
    for (const browser of BROWSER_PROFILES) {
      const out = new Map(analyzeCapture(reqs, { browser }).map((e) => [e.cors.id, e.cors]));
      expect(out.get('big-acao')!.verdict).toBe('fail');
      expect(out.get('many-ok')!.verdict).toBe('pass');
      expect(out.get('big-req')!.verdict).toBe('pass');
      expect(out.get('pf')!.verdict).toBe('pass');
      for (const c of out.values()) expect(contractProblems(c)).toEqual([]);
    }
  });
});

describe('the HAR reader with hostile bytes', () => {
  const ok = (): string => harText([entry(`${B}/x`, [['Origin', A]], [['Access-Control-Allow-Origin', '*']])]);

  it('invalid UTF-8 inside a string reads as U+FFFD (as File.text() and the CLI decode it) and is judged', () => {
    const bytes = Buffer.from(ok().replace('/x', '/x-@@'));
    const at = bytes.indexOf('@@');
    bytes[at] = 0xff; // never valid in UTF-8
    bytes[at + 1] = 0xc3; // a lead byte without its continuation
    const text = new TextDecoder('utf-8').decode(bytes);
    const r = parseHar(text);
    expect(r.requests[0]!.hops[0]!.url).toBe(`${B}/x-\ufffd\ufffd`);
    expect(analyzeCapture(r.requests, { browser: 'chromium' })[0]!.cors.verdict).toBe('pass');
  });

  // Every one of these must be a HarError with a one-line message (the CLI prints it, the panel shows it).
  const broken: [string, string | Buffer][] = [
    ['NUL bytes', Buffer.from([0, 0, 0])],
    ['UTF-16 with a BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"log":{"entries":[]}}', 'utf16le')])],
    ['200,000 nested arrays', '['.repeat(200_000) + ']'.repeat(200_000)],
    ['100,000 nested objects under log', `{"log":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`],
    ['300,000 open brackets, never closed', '['.repeat(300_000)],
    ['a number too large for a double as the status', harText([entry(`${B}/x`, [], [])]).replace('"status":200', '"status":1e400')],
    ['__proto__ as the log', '{"log":{"__proto__":{"entries":[]}}}'],
    ['an HTML page', '<!doctype html><script>alert(1)</script>'],
    ['a JSON string', '"{\\"log\\":{}}"'],
  ];
  it.each(broken)('%s: HarError, one line', (_name, input) => {
    const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
    let err: unknown = null;
    try {
      const r = parseHar(text);
      // Accepting is allowed only if the result is judgeable; none of these should be, though.
      analyzeCapture(r.requests, { browser: 'chromium' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HarError);
    expect((err as Error).message).not.toMatch(/[\r\n]/);
    expect((err as Error).message.length).toBeLessThan(300);
  });

  it('a 1 MB URL of spaces and a 1 MB method are accepted and judged (an unusable URL is not a broken file)', () => {
    const text = harText([entry(`${B}/x`, [['Origin', A]], [])]).replace(`"url":"${B}/x"`, `"url":${JSON.stringify(' '.repeat(MB))}`).replace('"method":"GET"', `"method":"${'M'.repeat(MB)}"`);
    const r = parseHar(text);
    for (const browser of BROWSER_PROFILES) for (const e of analyzeCapture(r.requests, { browser })) expect(contractProblems(e.cors)).toEqual([]);
  });

  it('hostile values survive our own export and import unchanged (nothing is sanitised away, nothing breaks the JSON)', () => {
    const reqs = HOSTILE_VALUES.map((p, i) => request({ id: `h${i}`, url: `${B}/h${i}`, headers: { 'X-Echo': p.value }, response: { 'Access-Control-Allow-Origin': p.value, 'X-Echo': p.value } }));
    const first = analyzeCapture(reqs, { browser: 'chromium' });
    const back = parseHar(stringifyHar(toAnnotatedHar(first, { includeSecrets: false, creator: { name: 'CORS Lens', version: 't' } })));
    for (const [i, p] of HOSTILE_VALUES.entries()) {
      const r = back.requests.find((x) => x.id === `h${i}`)!;
      expect(r.hops[0]!.responseHeaders!.find((h) => h.name === 'X-Echo')!.value).toBe(p.value);
    }
    expect(new Map(analyzeCapture(back.requests, { browser: 'chromium' }).map((e) => [e.cors.id, e.cors]))).toEqual(new Map(first.map((e) => [e.cors.id, e.cors])));
  });
});

describe('the CLI (in-process) with hostile and broken files', () => {
  it('terminal escapes and control characters in a HAR never reach the terminal raw', async () => {
    const file = join(dir, 'escapes.har');
    const evil = '\u001b]0;pwned\u0007\u001b[2J\u001b[31mRED\r\u0008';
    writeFileSync(file, harText([entry(`${B}/x?${encodeURIComponent('a')}${evil}`, [['Origin', A]], [['Access-Control-Allow-Origin', evil]])]));
    const r = await cli(['analyze', file]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('fail');
    expect(r.out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(r.err).toBe('');
  });

  it('a file with invalid UTF-8 bytes is read (U+FFFD), not refused', async () => {
    const file = join(dir, 'latin1.har');
    const bytes = Buffer.from(harText([entry(`${B}/caf@`, [['Origin', A]], [['Access-Control-Allow-Origin', A]])]));
    bytes[bytes.indexOf('@')] = 0xe9; // "é" in Latin-1: invalid alone in UTF-8
    writeFileSync(file, bytes);
    const r = await cli(['analyze', file, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(JSON.parse(r.out).entries).toHaveLength(1);
  });

  const bad: [string, string | Buffer][] = [
    ['binary noise', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))],
    ['deep nesting', '['.repeat(200_000)],
    ['a HAR whose entries are strings', '{"log":{"entries":["<script>alert(1)</script>"]}}'],
    ['a header list that is an object', harText([entry(`${B}/x`, [], [])]).replace('"headers":[]', '"headers":{"a":"b"}')],
    ['a BOM and nothing else', '\ufeff'],
  ];
  it.each(bad)('%s: exit 2, one line on stderr, nothing on stdout', async (name, content) => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.har`);
    writeFileSync(file, content);
    const r = await cli(['analyze', file]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^cors-lens: [^\n]+\n$/);
    expect(r.err).not.toMatch(/internal error/);
  });
});
