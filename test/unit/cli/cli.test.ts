/**
 * The built CLI (dist/cli/cors-lens.mjs, DESIGN §3.2) run as a user runs it: a child process,
 * real files, real pipes.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateHar } from '../har-schema.ts';

const root = resolve(import.meta.dirname, '../../..');
const CLI = resolve(root, 'dist/cli/cors-lens.mjs');
const CHROME = resolve(root, 'test/fixtures/har/chrome-devtools.har');
const FIREFOX = resolve(root, 'test/fixtures/har/firefox.har');
const version = (JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string }).version;

let dir = '';
const tmp = (name: string, content: string): string => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

function cli(args: string[], input?: string, env: Record<string, string> = {}): SpawnSyncReturns<string> {
  const base = { ...process.env };
  delete base.NO_COLOR;
  delete base.FORCE_COLOR;
  return spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', env: { ...base, ...env }, timeout: 30_000 });
}

/** A minimal HAR entry: GET from http://a.test to http://b.test with the given response headers. */
function entry(url: string, resHeaders: [string, string][], reqHeaders: [string, string][] = [['Origin', 'http://a.test']]): unknown {
  return {
    startedDateTime: '2026-11-24T23:59:01.000Z',
    time: 1,
    request: { method: 'GET', url, httpVersion: 'HTTP/1.1', headers: reqHeaders.map(([name, value]) => ({ name, value })), cookies: [], queryString: [], headersSize: -1, bodySize: 0 },
    response: {
      status: 200,
      statusText: 'OK',
      httpVersion: 'HTTP/1.1',
      headers: resHeaders.map(([name, value]) => ({ name, value })),
      cookies: [],
      content: { size: 0, mimeType: 'text/plain' },
      redirectURL: '',
      headersSize: -1,
      bodySize: 0,
    },
    cache: {},
    timings: { send: 0, wait: 1, receive: 0 },
  };
}
const harOf = (entries: unknown[]): string => JSON.stringify({ log: { version: '1.2', creator: { name: 'test', version: '1' }, entries } });

let passing = '';
let secrets = '';

beforeAll(() => {
  const build = spawnSync(process.execPath, [resolve(root, 'scripts/build.mjs'), '--cli-only'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  if (build.status !== 0) throw new Error(`CLI build failed: ${build.stderr}`);
  dir = mkdtempSync(join(tmpdir(), 'cors-lens-cli-'));
  passing = tmp('pass.har', harOf([entry('http://b.test/ok', [['Access-Control-Allow-Origin', '*']])]));
  secrets = tmp(
    'secrets.har',
    harOf([
      entry(
        'http://b.test/me',
        [
          ['Access-Control-Allow-Origin', 'http://a.test'],
          ['Access-Control-Allow-Credentials', 'true'],
          ['Vary', 'Origin'],
          ['Set-Cookie', 'sid=NEWSECRET; Path=/'],
        ],
        [
          ['Origin', 'http://a.test'],
          ['Cookie', 'sid=OLDSECRET'],
          ['Authorization', 'Bearer TOKENSECRET'],
        ],
      ),
    ]),
  );
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('cors-lens (built file)', () => {
  it('--help prints the usage and exits 0; --version prints the package version', () => {
    const help = cli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: cors-lens analyze FILE\.har \[--format text\|json\|har\] \[--out FILE\] \[--browser chromium\|firefox\]/);
    expect(help.stderr).toBe('');
    expect(cli(['analyze', '-h']).status).toBe(0);
    const v = cli(['--version']);
    expect(v.status).toBe(0);
    expect(v.stdout).toBe(`cors-lens ${version}\n`);
  });

  it('exit 1 when any request fails CORS, 0 when none does', () => {
    expect(cli(['analyze', CHROME]).status).toBe(1);
    const ok = cli(['analyze', passing]);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^1 request: 0 fail, 1 pass, 0 unknown, 0 n\/a(; [^\n]*)? \(chromium profile\)$/m);
  });

  describe('bad input or usage: exit 2, nothing on stdout, exactly one line on stderr naming the problem', () => {
    const cases: [string, () => string[], string | undefined, RegExp][] = [
      ['not JSON', () => ['analyze', tmp('text.har', 'this is not json')], undefined, /: not valid JSON at line 1, column 1: unexpected character "t"/],
      ['JSON but not HAR', () => ['analyze', tmp('other.har', '{"name": "package"}')], undefined, /other\.har: log: not a HAR file: the top-level "log" field is missing$/],
      ['a JSON array', () => ['analyze', tmp('array.har', '[1,2]')], undefined, /not a HAR file: expected a JSON object with a "log" field, got an array$/],
      ['truncated', () => ['analyze', tmp('cut.har', readFileSync(CHROME, 'utf8').slice(0, 2000))], undefined, /cut\.har: truncated JSON: the input ends after 2000 characters/],
      [
        'wrong types',
        () => ['analyze', tmp('types.har', harOf([entry('http://b.test/', [['A', '1']]), { ...(entry('http://b.test/', []) as object), response: { status: '200', headers: [] } }]))],
        undefined,
        /types\.har: log\.entries\[1\]\.response\.status: expected a number, got a string$/,
      ],
      ['a header value of the wrong type', () => ['analyze', tmp('hv.har', harOf([entry('http://b.test/', [['X', 1 as unknown as string]])]))], undefined, /log\.entries\[0\]\.response\.headers\[0\]\.value: expected a string, got a number$/],
      ['empty entries', () => ['analyze', tmp('empty.har', harOf([]))], undefined, /empty\.har: log\.entries is empty: nothing to analyze$/],
      ['an empty entry', () => ['analyze', tmp('emptyentry.har', harOf([{}]))], undefined, /log\.entries\[0\]\.startedDateTime: required field is missing$/],
      ['an empty file', () => ['analyze', tmp('zero.har', '')], undefined, /zero\.har: empty input/],
      ['missing file', () => ['analyze', join(dir, 'nope.har')], undefined, /cannot read .*nope\.har: no such file$/],
      ['a directory', () => ['analyze', dir], undefined, /cannot read .*: is a directory$/],
      ['not JSON on stdin', () => ['analyze', '-'], '<html>', /^cors-lens: stdin: not valid JSON/],
      ['no command', () => [], undefined, /^cors-lens: no command given; usage: cors-lens analyze FILE\.har/],
      ['unknown command', () => ['x.har'], undefined, /unknown command 'x\.har' \(did you mean: cors-lens analyze x\.har\?\)/],
      ['no file', () => ['analyze'], undefined, /analyze needs a HAR file/],
      ['two files', () => ['analyze', CHROME, FIREFOX], undefined, /analyze takes one HAR file, got 2/],
      ['unknown option', () => ['analyze', CHROME, '--colour'], undefined, /unknown option '--colour'/],
      ['bad format', () => ['analyze', CHROME, '--format', 'xml'], undefined, /--format must be text, json or har, not 'xml'$/],
      ['bad browser', () => ['analyze', CHROME, '--browser=safari'], undefined, /--browser must be chromium or firefox, not 'safari'$/],
      ['option without value', () => ['analyze', CHROME, '--out'], undefined, /--out needs a value$/],
      ['unwritable --out', () => ['analyze', CHROME, '--out', join(dir, 'no/such/dir/report.txt')], undefined, /cannot write .*report\.txt: /],
    ];
    it.each(cases)('%s', (_name, args, input, problem) => {
      const r = cli(args(), input);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^cors-lens: [^\n]+\n$/);
      expect(r.stderr.trimEnd()).toMatch(problem);
      expect(r.stderr).not.toMatch(/\bat .*\.m?js:\d+/); // no stack trace
    });
  });

  it('text: an aligned table (every column starts at the same place in every row) and a summary line', () => {
    const r = cli(['analyze', CHROME]);
    const lines = r.stdout.trimEnd().split('\n');
    const [header, ...rest] = lines;
    const rows = rest.slice(0, -2);
    expect(rest.at(-2)).toBe('');
    expect(rest.at(-1)).toBe('6 requests: 3 fail, 2 pass, 0 unknown, 1 n/a; 1 pass with warnings (chromium profile)');
    expect(rows).toHaveLength(6);
    const starts = ['METHOD', 'URL', 'ERROR', 'WHY'].map((c) => header!.indexOf(c));
    expect(header!.startsWith('VERDICT')).toBe(true);
    for (const row of rows) {
      for (const s of starts) {
        expect(row[s - 1]).toBe(' '); // a column boundary…
        expect(row[s]).not.toBe(' '); // …followed by the cell's first character
      }
    }
    expect(rows.map((row) => row.slice(0, starts[0]).trim())).toEqual(['n/a', 'fail', 'fail', 'fail', 'pass', 'pass']);
    expect(rows[1]!.slice(starts[0], starts[1]).trim()).toBe('PUT');
    expect(rows[1]!.slice(starts[2], starts[3]).trim()).toBe('HeaderDisallowedByPreflightResponse');
    // Piped: no colour codes.
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('text: long URLs are shortened in the middle; control characters from the HAR are escaped', () => {
    const long = `http://b.test/${'segment/'.repeat(12)}end?x=1`;
    const evil = 'http://b.test/\u001b[2Jboom';
    const r = cli(['analyze', tmp('long.har', harOf([entry(long, [['Access-Control-Allow-Origin', '*']]), entry(evil, [['Access-Control-Allow-Origin', '*']])]))]);
    expect(r.status).toBe(0);
    const cell = /http:\/\/b\.test\/segment\/\S*…\S*\/end\?x=1/.exec(r.stdout)?.[0];
    expect([...cell!]).toHaveLength(60);
    expect(r.stdout).not.toContain('\u001b');
    expect(r.stdout).toContain('http://b.test/\\x1b[2Jboom');
  });

  it('json: {summary, entries: [_cors objects]} with counts that match the entries', () => {
    const r = cli(['analyze', CHROME, '--format', 'json']);
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as { summary: Record<string, unknown>; entries: Record<string, unknown>[] };
    expect(Object.keys(out)).toEqual(['summary', 'entries']);
    expect(out.summary).toEqual({
      requests: 6,
      fail: 3,
      pass: 2,
      unknown: 0,
      'n/a': 1,
      errors: { HeaderDisallowedByPreflightResponse: 2, MissingAllowOriginHeader: 1 },
      passedWithWarnings: 1,
      browser: 'chromium',
    });
    expect(out.entries).toHaveLength(6);
    for (const e of out.entries) {
      expect(Object.keys(e).sort()).toEqual(
        [
          'id', 'kind', 'verdict', 'error', 'failedParameter', 'firefoxReason', 'message', 'fix', 'warnings', 'pairedWith',
          'preflightTriggers', 'preflightCache', 'credentials', 'credentialsInferred', 'exposedHeaders', 'origin', 'observed',
        ].sort(),
      );
    }
    const preflight = out.entries.find((e) => e.kind === 'preflight')!;
    expect(preflight).toMatchObject({ verdict: 'fail', error: 'HeaderDisallowedByPreflightResponse', failedParameter: 'x-token', pairedWith: 'h1' });
  });

  it('har: a valid HAR 1.2 where every entry carries _cors, sorted by startedDateTime', () => {
    const r = cli(['analyze', CHROME, '--format', 'har']);
    expect(r.status).toBe(1);
    const har = JSON.parse(r.stdout) as { log: { creator: { name: string }; comment: string; entries: { startedDateTime: string; _cors: { id: string } }[] } };
    expect(validateHar(har)).toEqual([]);
    expect(har.log.creator).toEqual({ name: 'CORS Lens', version });
    expect(har.log.comment).toMatch(/WebInspector 537\.36 HAR, chromium profile: 6 requests: 3 fail/);
    expect(har.log.entries.map((e) => e._cors.id)).toEqual(['h0', 'h1', 'h2', 'h3', 'h4', 'h6']);
    const times = har.log.entries.map((e) => Date.parse(e.startedDateTime));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('har: secrets are redacted by default and kept with --include-secrets', () => {
    const redacted = cli(['analyze', secrets, '--format', 'har']);
    expect(redacted.status).toBe(0);
    for (const s of ['NEWSECRET', 'OLDSECRET', 'TOKENSECRET']) expect(redacted.stdout).not.toContain(s);
    expect(redacted.stdout).toContain('[redacted by CORS Lens]');
    expect(validateHar(JSON.parse(redacted.stdout))).toEqual([]);
    const kept = cli(['analyze', secrets, '--format', 'har', '--include-secrets']);
    for (const s of ['NEWSECRET', 'OLDSECRET', 'TOKENSECRET']) expect(kept.stdout).toContain(s);
    expect(kept.stdout).not.toContain('[redacted by CORS Lens]');
  });

  it('har round trip: analyzing our own export again gives the same verdicts, redacted or not', () => {
    for (const flags of [[], ['--include-secrets']]) {
      for (const src of [CHROME, FIREFOX, secrets]) {
        const first = cli(['analyze', src, '--format', 'har', ...flags]);
        const again = cli(['analyze', '-', '--format', 'json'], first.stdout);
        const firstCors = (JSON.parse(first.stdout) as { log: { entries: { _cors: unknown }[] } }).log.entries.map((e) => e._cors);
        const againCors = (JSON.parse(again.stdout) as { entries: unknown[] }).entries;
        expect(again.status).toBe(first.status);
        expect(againCors).toEqual(firstCors);
      }
    }
  });

  it('reads stdin with -, and --out writes the report to a file instead of stdout', () => {
    const viaStdin = cli(['analyze', '-', '--format', 'json'], readFileSync(CHROME, 'utf8'));
    expect(viaStdin.status).toBe(1);
    expect(viaStdin.stdout).toBe(cli(['analyze', CHROME, '--format', 'json']).stdout);
    const out = join(dir, 'report.json');
    const r = cli(['analyze', CHROME, '--format=json', `--out=${out}`]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(viaStdin.stdout);
  });

  it('--browser firefox applies the Firefox profile', () => {
    const r = cli(['analyze', FIREFOX, '--browser', 'firefox', '--format', 'json']);
    const out = JSON.parse(r.stdout) as { summary: { browser: string }; entries: { firefoxReason: string | null; verdict: string }[] };
    expect(out.summary.browser).toBe('firefox');
    expect(out.entries.filter((e) => e.verdict === 'fail').map((e) => e.firefoxReason)).toEqual(['CORSMethodNotFound', 'CORSMethodNotFound']);
  });

  it('--progress reports reading, parsing and judging on stderr (one line each when stderr is not a terminal)', () => {
    const r = cli(['analyze', CHROME, '--progress', '--format', 'json']);
    expect(r.status).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^reading .*chrome-devtools\.har: 0\.0 \/ 0\.0 MB$/);
    expect(lines.slice(-2)).toEqual([expect.stringMatching(/^parsed 6 requests from .*chrome-devtools\.har$/), 'judged 6 requests']);
    expect(cli(['analyze', CHROME, '--format', 'json']).stderr).toBe('');
  });
});
