/**
 * `cors-lens analyze`: read a HAR, judge it with the engine, print a report, return the exit
 * status (0 no CORS failure, 1 any failure, 2 bad input or usage — DESIGN §3.2).
 *
 * Everything the outside world provides is passed in (`CliIO`), so tests can run it in-process;
 * main.ts wires it to the real process. Every failure becomes one line "cors-lens: <problem>"
 * on stderr: a stack trace is shown only with CORS_LENS_DEBUG=1 (for bug reports).
 */
import { promises as fs } from 'node:fs';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { AnalyzedEntry } from '../core/annotation.ts';
import { HarError, parseHar } from '../core/har/read.ts';
import { stringifyHar, toAnnotatedHar } from '../core/har/write.ts';
import type { BrowserProfile, ObservedRequest } from '../core/model.ts';
import { parseArgs, USAGE, UsageError, type AnalyzeCommand } from './args.ts';
import { jsonReport, summarize, summaryLine, textTable } from './report.ts';

export interface OutStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CliIO {
  stdout: OutStream;
  stderr: OutStream;
  stdin: Readable;
  env: Readonly<Record<string, string | undefined>>;
}

export type Analyze = (reqs: readonly ObservedRequest[], opts: { browser: BrowserProfile }) => AnalyzedEntry[];

/** Bad input: reported as one line, exit 2. */
class InputError extends Error {}

/** Above this size, reading shows progress on a terminal (a 200 MB HAR takes seconds). */
export const PROGRESS_THRESHOLD_BYTES = 20 * 1024 * 1024;

const MB = 1024 * 1024;

function errnoText(err: unknown): string {
  const code = (err as { code?: string }).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return err instanceof Error ? err.message.split('\n')[0]! : String(err);
  }
}

/** Progress on stderr: rewritten in place on a terminal, one line per step otherwise. */
function progressReporter(io: CliIO, enabled: boolean): (text: string, final?: boolean) => void {
  if (!enabled) return () => {};
  const tty = io.stderr.isTTY === true;
  return (text, final = false) => {
    if (tty) io.stderr.write(`\r\u001b[2K${text}${final ? '\n' : ''}`);
    else io.stderr.write(`${text}\n`);
  };
}

async function readAll(stream: Readable, total: number | null, onBytes: (read: number, total: number | null) => void): Promise<string> {
  // stdin: decode chunk by chunk (StringDecoder keeps multi-byte characters split across chunks
  // whole) so a 200 MB pipe is not held as Buffers, a concatenated Buffer and a string at once.
  const decoder = new StringDecoder('utf8');
  const parts: string[] = [];
  let read = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    parts.push(decoder.write(b));
    read += b.length;
    onBytes(read, total);
  }
  parts.push(decoder.end());
  return parts.join('');
}

/** Bytes read per call from a file: few calls, yet ~20 progress steps on a large file. */
const FILE_CHUNK_BYTES = 4 * MB;

/**
 * A file of known size: read into one Buffer of that size and decoded once. Decoding 64 KB
 * stream chunks into strings and joining them cost ~8 % of a 50,000-entry run (profiled) and
 * left as much garbage as the file; this holds one Buffer and the string, as readFileSync
 * would, but still reports progress. The size from stat is a hint only: a file that grows
 * meanwhile (or reports 0, like /proc files) is read to its end all the same.
 */
async function readFile(path: string, total: number, onBytes: (read: number, total: number | null) => void): Promise<string> {
  const fh = await fs.open(path, 'r');
  try {
    // One byte more than the size, so the read that finds the end needs no bigger buffer.
    let buf = Buffer.allocUnsafe(Math.max(total + 1, 64 * 1024));
    let read = 0;
    for (;;) {
      if (read === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, read);
        buf = bigger;
      }
      const { bytesRead } = await fh.read(buf, read, Math.min(FILE_CHUNK_BYTES, buf.length - read), null);
      if (bytesRead === 0) break;
      read += bytesRead;
      onBytes(read, total);
    }
    return buf.toString('utf8', 0, read);
  } finally {
    await fh.close();
  }
}

async function readInput(cmd: AnalyzeCommand, io: CliIO, progress: (text: string) => void, forced: boolean): Promise<{ text: string; shown: boolean }> {
  const name = cmd.file === '-' ? 'stdin' : cmd.file;
  let total: number | null = null;
  if (cmd.file !== '-') {
    try {
      const st = await fs.stat(cmd.file);
      if (st.isDirectory()) throw new InputError(`cannot read ${cmd.file}: is a directory`);
      total = st.size;
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw new InputError(`cannot read ${cmd.file}: ${errnoText(err)}`);
    }
  }
  const shown = forced || (io.stderr.isTTY === true && (total === null || total > PROGRESS_THRESHOLD_BYTES));
  let lastStep = -1;
  const onBytes = (read: number, size: number | null): void => {
    if (!shown) return;
    // At most ~20 updates: every 5 % of a known size, every 5 MB of a stream.
    const step = size ? Math.floor((read / size) * 20) : Math.floor(read / (5 * MB));
    if (step === lastStep) return;
    lastStep = step;
    progress(`reading ${name}: ${(read / MB).toFixed(1)}${size ? ` / ${(size / MB).toFixed(1)}` : ''} MB`);
  };
  try {
    const text = total === null ? await readAll(io.stdin, null, onBytes) : await readFile(cmd.file, total, onBytes);
    return { text, shown };
  } catch (err) {
    throw new InputError(`cannot read ${name}: ${errnoText(err)}`);
  }
}

function version(v: string): string {
  return `cors-lens ${v}\n`;
}

async function analyze(cmd: AnalyzeCommand, io: CliIO, analyzeCapture: Analyze, cliVersion: string): Promise<number> {
  const name = cmd.file === '-' ? 'stdin' : cmd.file;
  const progress = progressReporter(io, true);
  const { text, shown } = await readInput(cmd, io, progress, cmd.progress);
  const report = shown ? progress : () => {};

  let parsed;
  try {
    parsed = parseHar(text);
  } catch (err) {
    if (err instanceof HarError) throw new InputError(`${name}: ${err.message}`);
    throw err;
  }
  if (parsed.requests.length === 0) throw new InputError(`${name}: log.entries is empty: nothing to analyze`);
  report(`parsed ${parsed.requests.length} requests from ${name}`);

  const entries = analyzeCapture(parsed.requests, { browser: cmd.browser });
  report(`judged ${entries.length} requests`, true);
  const warnings = parsed.warnings;
  for (const w of warnings.slice(0, 5)) io.stderr.write(`cors-lens: warning: ${w}\n`);
  if (warnings.length > 5) io.stderr.write(`cors-lens: warning: … and ${warnings.length - 5} more\n`);

  const summary = summarize(entries, cmd.browser);
  let out: string;
  if (cmd.format === 'json') out = jsonReport(entries, summary);
  else if (cmd.format === 'har') {
    const from = parsed.creator ? ` of a ${parsed.creator.name}${parsed.creator.version ? ` ${parsed.creator.version}` : ''} HAR` : '';
    out = stringifyHar(
      toAnnotatedHar(entries, {
        includeSecrets: cmd.includeSecrets,
        creator: { name: 'CORS Lens', version: cliVersion },
        comment: `cors-lens analyze${from}, ${cmd.browser} profile: ${summaryLine(summary)}`,
      }),
    );
  } else {
    // Colour only on a terminal, never into a file or a pipe, and never with NO_COLOR
    // (https://no-color.org: set and not empty).
    const toTerminal = cmd.out === null && io.stdout.isTTY === true;
    const colour = toTerminal && !io.env.NO_COLOR;
    out = `${textTable(entries, { colour, width: toTerminal ? (io.stdout.columns ?? 120) : null })}\n${summaryLine(summary)}\n`;
  }

  if (cmd.out !== null) {
    try {
      await fs.writeFile(cmd.out, out, 'utf8');
    } catch (err) {
      throw new InputError(`cannot write ${cmd.out}: ${errnoText(err)}`);
    }
  } else io.stdout.write(out);
  return summary.fail > 0 ? 1 : 0;
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit status. */
export async function run(argv: readonly string[], io: CliIO, analyzeCapture: Analyze, cliVersion: string): Promise<number> {
  try {
    const cmd = parseArgs(argv);
    if (cmd.command === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (cmd.command === 'version') {
      io.stdout.write(version(cliVersion));
      return 0;
    }
    return await analyze(cmd, io, analyzeCapture, cliVersion);
  } catch (err) {
    if (err instanceof UsageError || err instanceof InputError) io.stderr.write(`cors-lens: ${err.message}\n`);
    else {
      const msg = err instanceof Error ? err.message : String(err);
      io.stderr.write(`cors-lens: internal error: ${msg.split('\n')[0]!} (set CORS_LENS_DEBUG=1 for details)\n`);
      if (io.env.CORS_LENS_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    }
    return 2;
  }
}
