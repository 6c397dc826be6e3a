/**
 * Stress (issue 7 item 3): a 200 MB HAR through the built CLI. It must finish with a report
 * (exit 0 or 1, never 2 and never a crash), print progress on stderr, judge every entry, and keep
 * its peak memory bounded. The peak RSS is measured by a preload (`--import`) that writes
 * `process.resourceUsage().maxRSS` when the CLI process exits; the figure is printed and held to
 * a generous bound (a regression that kept several copies of the file alive would cross it).
 *
 * The file is written in chunks (never held whole by the test): the UI tests' realistic mix of
 * CORS exchanges (test/unit/ui/har-gen.ts), each request given a ~2 KB trace header as large
 * real-world requests have, repeated with unique URLs until 200 MB.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHar } from '../unit/ui/har-gen.ts';

const root = resolve(import.meta.dirname, '../..');
const CLI = resolve(root, 'dist/cli/cors-lens.mjs');
const TARGET_BYTES = 200 * 1024 * 1024;
const MB = 1024 * 1024;
/** Peak RSS allowed: several times the file (text + parsed objects + report), far below a leak. */
const MAX_RSS_BYTES = 3 * 1024 * MB;

let dir = '';
let file = '';
let entries = 0;

/** Writes the HAR chunk by chunk; returns the number of entries. */
function writeHugeHar(path: string): number {
  const fd = openSync(path, 'w');
  let bytes = 0;
  let n = 0;
  const put = (s: string) => {
    bytes += Buffer.byteLength(s);
    writeSync(fd, s);
  };
  try {
    put('{"log":{"version":"1.2","creator":{"name":"stress","version":"1"},"pages":[],"entries":[\n');
    const trace = 'x'.repeat(2048);
    for (let k = 0; bytes < TARGET_BYTES; k++) {
      const chunk = makeHar(1000, Date.UTC(2026, 10, 24, 12, 0, 0) + k * 1000 * 30).log.entries;
      const parts: string[] = [];
      for (const e of chunk) {
        e.request.headers.push({ name: 'X-Trace-Context', value: trace });
        // Unique URLs per chunk, so each chunk is its own set of exchanges.
        parts.push(JSON.stringify(e).replaceAll('?n=', `?n=${k}-`));
      }
      put(`${n === 0 ? '' : ',\n'}${parts.join(',\n')}`);
      n += chunk.length;
    }
    put('\n]}}\n');
  } finally {
    closeSync(fd);
  }
  return n;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cors-lens-stress-'));
  file = join(dir, 'huge.har');
  entries = writeHugeHar(file);
  writeFileSync(join(dir, 'rss.mjs'), "import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(process.env.RSS_OUT, String(process.resourceUsage().maxRSS * 1024)));\n");
}, 240_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a 200 MB HAR through the CLI', () => {
  it('is judged in full with progress on stderr and bounded memory', async () => {
    const size = statSync(file).size;
    expect(size).toBeGreaterThanOrEqual(TARGET_BYTES);
    const rssOut = join(dir, 'rss.txt');
    const out = join(dir, 'report.json');
    const child = spawn(process.execPath, ['--import', join(dir, 'rss.mjs'), CLI, 'analyze', file, '--format', 'json', '--progress', '--out', out], {
      env: { ...process.env, RSS_OUT: rssOut, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const started = Date.now();
    const code = await new Promise<number | null>((ok) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 200_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        ok(c);
      });
    });
    const seconds = (Date.now() - started) / 1000;
    const rss = Number(readFileSync(rssOut, 'utf8'));
    console.log(`[stress] ${(size / MB).toFixed(0)} MB HAR, ${entries} entries: exit ${code} in ${seconds.toFixed(1)} s, peak RSS ${(rss / MB).toFixed(0)} MB (${(rss / size).toFixed(1)}× the file)`);

    expect(code === 0 || code === 1, `exit ${code}; stderr: ${stderr.slice(-300)}`).toBe(true);
    expect(stdout).toBe('');
    const lines = stderr.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('reading ')).length).toBeGreaterThanOrEqual(5);
    expect(lines.some((l) => /^parsed \d+ requests/.test(l))).toBe(true);
    expect(lines.some((l) => /^judged \d+ requests/.test(l))).toBe(true);
    const report = JSON.parse(readFileSync(out, 'utf8')) as { summary: Record<string, number>; entries: { id: string; verdict: string }[] };
    // Redirect hops are merged into one request each, so there are somewhat fewer requests than entries.
    expect(report.entries.length).toBeGreaterThan(entries * 0.9);
    expect(report.entries.length).toBeLessThanOrEqual(entries);
    expect([...new Set(report.entries.map((e) => e.verdict))]).toEqual(expect.arrayContaining(['pass', 'fail', 'n/a']));
    expect(rss).toBeLessThan(MAX_RSS_BYTES);
  }, 240_000);
});
