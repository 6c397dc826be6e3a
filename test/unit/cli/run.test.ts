/**
 * The CLI in-process (src/cli/run.ts with a fake terminal): what a child process cannot show
 * easily — colour on a TTY, width fitting, internal errors — plus the argument grammar and the
 * report helpers.
 */
import { Readable } from 'node:stream';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../../src/cli/args.ts';
import { safeText, shortenUrl, summarize, summaryLine } from '../../../src/cli/report.ts';
import { run, type Analyze, type CliIO } from '../../../src/cli/run.ts';
import { analyzeCapture } from '../../../src/core/analyze.ts';
import type { AnalyzedEntry, CorsAnnotation } from '../../../src/core/annotation.ts';

const CHROME = resolve(import.meta.dirname, '../../fixtures/har/chrome-devtools.har');

interface Captured {
  io: CliIO;
  out: () => string;
  err: () => string;
}

function fakeIO(o: { tty?: boolean; errTty?: boolean; columns?: number; env?: Record<string, string>; stdin?: string } = {}): Captured {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (s: string) => (out += s), isTTY: o.tty ?? false, columns: o.columns ?? 200 },
      stderr: { write: (s: string) => (err += s), isTTY: o.errTty ?? false },
      stdin: Readable.from([o.stdin ?? '']),
      env: o.env ?? {},
    },
    out: () => out,
    err: () => err,
  };
}

const ESC = '\u001b[';

describe('run: colour and terminal width', () => {
  it('colours verdicts when stdout is a terminal', async () => {
    const t = fakeIO({ tty: true });
    expect(await run(['analyze', CHROME], t.io, analyzeCapture, '1.2.3')).toBe(1);
    expect(t.out()).toContain(`${ESC}31mfail${ESC}0m`);
    expect(t.out()).toContain(`${ESC}32mpass${ESC}0m`);
    expect(t.out()).toContain(`${ESC}2mn/a${ESC}0m`);
  });

  it.each([
    ['piped', { tty: false }],
    ['NO_COLOR set', { tty: true, env: { NO_COLOR: '1' } }],
  ])('never colours when %s', async (_name, opts) => {
    const t = fakeIO(opts);
    await run(['analyze', CHROME], t.io, analyzeCapture, '1.2.3');
    expect(t.out()).not.toContain(ESC);
  });

  it('never colours a report written with --out, even from a terminal', async () => {
    const t = fakeIO({ tty: true });
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const file = resolve(mkdtempSync(resolve(tmpdir(), 'cors-lens-run-')), 'r.txt');
    await run(['analyze', CHROME, '--out', file], t.io, analyzeCapture, '1.2.3');
    expect(readFileSync(file, 'utf8')).not.toContain(ESC);
    expect(t.out()).toBe('');
  });

  it('on a terminal the WHY column is cut to the width; piped output keeps it whole', async () => {
    const narrow = fakeIO({ tty: true, columns: 150, env: { NO_COLOR: '1' } });
    await run(['analyze', CHROME], narrow.io, analyzeCapture, '1.2.3');
    const rows = narrow.out().split('\n').filter((l) => l !== '');
    for (const row of rows.slice(0, -1)) expect([...row].length).toBeLessThanOrEqual(150);
    expect(narrow.out()).toContain('…');
    const piped = fakeIO();
    await run(['analyze', CHROME], piped.io, analyzeCapture, '1.2.3');
    expect(Math.max(...piped.out().split('\n').map((l) => l.length))).toBeGreaterThan(150);
  });
});

describe('run: errors', () => {
  it('a bug in the engine is one line on stderr and exit 2, with the stack only under CORS_LENS_DEBUG', async () => {
    const boom: Analyze = () => {
      throw new TypeError("Cannot read properties of undefined (reading 'x')\n    at somewhere");
    };
    const t = fakeIO();
    expect(await run(['analyze', CHROME], t.io, boom, '1')).toBe(2);
    expect(t.err()).toBe("cors-lens: internal error: Cannot read properties of undefined (reading 'x') (set CORS_LENS_DEBUG=1 for details)\n");
    const d = fakeIO({ env: { CORS_LENS_DEBUG: '1' } });
    await run(['analyze', CHROME], d.io, boom, '1');
    expect(d.err()).toMatch(/\n {4}at /);
  });

  it('exit status follows the verdicts: 1 only when some verdict is fail', async () => {
    const withVerdicts =
      (...verdicts: CorsAnnotation['verdict'][]): Analyze =>
      (reqs) =>
        reqs.map((request, i) => ({ request, cors: { ...analyzeCapture([request], { browser: 'chromium' })[0]!.cors, verdict: verdicts[i % verdicts.length]! } }) as AnalyzedEntry);
    expect(await run(['analyze', CHROME], fakeIO().io, withVerdicts('pass', 'n/a', 'unknown'), '1')).toBe(0);
    expect(await run(['analyze', CHROME], fakeIO().io, withVerdicts('pass', 'fail'), '1')).toBe(1);
  });

  it('decodes UTF-8 split across chunks', async () => {
    const text = JSON.stringify({
      log: { entries: [{ startedDateTime: '2026-01-01T00:00:00Z', request: { method: 'GET', url: 'http://b.test/€', headers: [{ name: 'Origin', value: 'http://a.test' }] }, response: { status: 200, headers: [] } }] },
    });
    const bytes = Buffer.from(text);
    const cut = bytes.indexOf(Buffer.from('€')) + 1; // inside the 3-byte character
    const t = fakeIO();
    t.io.stdin = Readable.from([bytes.subarray(0, cut), bytes.subarray(cut)]);
    await run(['analyze', '-'], t.io, analyzeCapture, '1');
    expect(t.out()).toContain('http://b.test/€');
  });

  it('progress on a terminal rewrites one line in place and ends it; small files show none unless asked', async () => {
    const t = fakeIO({ errTty: true });
    await run(['analyze', CHROME, '--progress', '--format', 'json'], t.io, analyzeCapture, '1');
    expect(t.err()).toMatch(/^\r\u001b\[2Kreading .*chrome-devtools\.har: 0\.0 \/ 0\.0 MB/);
    expect(t.err()).toMatch(/\r\u001b\[2Kjudged 6 requests\n$/);
    const quiet = fakeIO({ errTty: true });
    await run(['analyze', CHROME, '--format', 'json'], quiet.io, analyzeCapture, '1');
    expect(quiet.err()).toBe('');
  });

  it('reads stdin', async () => {
    const { readFileSync } = await import('node:fs');
    const t = fakeIO({ stdin: readFileSync(CHROME, 'utf8') });
    expect(await run(['analyze', '-', '--format', 'json'], t.io, analyzeCapture, '1')).toBe(1);
    expect((JSON.parse(t.out()) as { summary: { requests: number } }).summary.requests).toBe(6);
  });
});

describe('parseArgs', () => {
  const ok: [string[], object][] = [
    [['analyze', 'a.har'], { command: 'analyze', file: 'a.har', format: 'text', out: null, browser: 'chromium', includeSecrets: false, progress: false }],
    [['analyze', '-', '--format', 'har', '--include-secrets'], { file: '-', format: 'har', includeSecrets: true }],
    [['analyze', '--browser=firefox', '--out', 'r.json', '--format=json', 'a.har'], { file: 'a.har', browser: 'firefox', out: 'r.json', format: 'json' }],
    [['analyze', '--progress', '--', '-odd-name.har'], { file: '-odd-name.har', progress: true }],
    [['analyze', 'a.har', '--help'], { command: 'help' }],
    [['--version', 'whatever'], { command: 'version' }],
  ];
  it.each(ok)('%j', (argv, want) => {
    expect(parseArgs(argv)).toMatchObject(want);
  });

  const bad: [string[], RegExp][] = [
    [[], /^no command given/],
    [['analyse', 'a.har'], /^unknown command 'analyse'; usage/],
    [['-'], /did you mean: cors-lens analyze -\?/],
    [['analyze'], /needs a HAR file/],
    [['analyze', 'a.har', 'b.har'], /one HAR file, got 2: a\.har b\.har/],
    [['analyze', 'a.har', '--format'], /--format needs a value/],
    [['analyze', 'a.har', '--format='], /--format needs a value/],
    [['analyze', 'a.har', '--format', 'TEXT'], /--format must be text, json or har, not 'TEXT'/],
    [['analyze', 'a.har', '--progress=yes'], /--progress takes no value/],
    [['analyze', 'a.har', '-x'], /unknown option '-x'/],
  ];
  it.each(bad)('%j → usage error', (argv, problem) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(problem);
  });
});

describe('report helpers', () => {
  it.each([
    ['http://b.test/short', 60, 'http://b.test/short'],
    ['http://b.test/x#frag', 60, 'http://b.test/x'],
    ['http://127.0.0.1:18412/api/' + 'a'.repeat(80) + '?id=42', 40, 'http://127.0.0.1:18412/api…aaaaaaa?id=42'],
  ])('shortenUrl(%s, %d)', (url, max, want) => {
    expect(shortenUrl(url, max)).toBe(want);
    expect([...shortenUrl(url, max)].length).toBeLessThanOrEqual(max);
  });

  it('safeText escapes C0 and C1 control characters and keeps the rest', () => {
    expect(safeText('a\u001b[31mb\r\n\u009bc é')).toBe('a\\x1b[31mb\\x0d\\x0a\\x9bc é');
  });

  it('summaryLine counts verdicts and names the profile', () => {
    const entries = analyzeCapture([], { browser: 'firefox' });
    expect(summaryLine(summarize(entries, 'firefox'))).toBe('0 requests: 0 fail, 0 pass, 0 unknown, 0 n/a (firefox profile)');
  });
});
