/** The CLI's reports: the summary, the text table for people, the JSON for machines. */
import type { AnalyzedEntry, CorsAnnotation, CorsVerdict } from '../core/annotation.ts';
import type { BrowserProfile } from '../core/model.ts';

export interface Summary {
  requests: number;
  fail: number;
  pass: number;
  unknown: number;
  'n/a': number;
  /** Failures per Chromium `CorsError` name. */
  errors: Record<string, number>;
  /** Requests that passed with at least one warning. */
  passedWithWarnings: number;
  browser: BrowserProfile;
}

export function summarize(entries: readonly AnalyzedEntry[], browser: BrowserProfile): Summary {
  const s: Summary = { requests: entries.length, fail: 0, pass: 0, unknown: 0, 'n/a': 0, errors: {}, passedWithWarnings: 0, browser };
  for (const { cors } of entries) {
    s[cors.verdict]++;
    if (cors.verdict === 'fail' && cors.error) s.errors[cors.error] = (s.errors[cors.error] ?? 0) + 1;
    if (cors.verdict === 'pass' && cors.warnings.length > 0) s.passedWithWarnings++;
  }
  return s;
}

/** "12 requests: 3 fail, 7 pass, 1 unknown, 1 n/a (chromium profile)" */
export function summaryLine(s: Summary): string {
  const n = `${s.requests} request${s.requests === 1 ? '' : 's'}`;
  const warn = s.passedWithWarnings > 0 ? `; ${s.passedWithWarnings} ${s.passedWithWarnings === 1 ? 'pass' : 'passes'} with warnings` : '';
  return `${n}: ${s.fail} fail, ${s.pass} pass, ${s.unknown} unknown, ${s['n/a']} n/a${warn} (${s.browser} profile)`;
}

/** Entries in the order they started (ties keep the engine's order), as in the annotated HAR. */
export function byStart(entries: readonly AnalyzedEntry[]): readonly AnalyzedEntry[] {
  // analyzeCapture already returns start order: then a stable sort changes nothing, and checking
  // costs one pass instead of 50,000 sort records on a large capture.
  let sorted = true;
  for (let i = 1; i < entries.length && sorted; i++) sorted = (entries[i - 1]!.request.hops[0]?.startedMs ?? 0) <= (entries[i]!.request.hops[0]?.startedMs ?? 0);
  if (sorted) return entries;
  return entries
    .map((e, i) => ({ e, i, t: e.request.hops[0]?.startedMs ?? 0 }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map(({ e }) => e);
}

/** `--format json`: `{summary, entries: [_cors objects]}` (DESIGN §3.2), in start order. */
export function jsonReport(entries: readonly AnalyzedEntry[], summary: Summary): string {
  return `${JSON.stringify({ summary, entries: byStart(entries).map((e) => e.cors) }, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Text table.

/**
 * Untrusted text from a HAR (URLs, header values in messages) must not drive the terminal:
 * control characters (ESC starts colour/cursor sequences, CR overwrites the line) are shown as
 * \xNN escapes instead.
 */
export function safeText(s: string): string {
  // Tested first: four cells of every row pass here, and nearly none holds a control character.
  if (!CONTROL.test(s)) return s;
  return s.replace(CONTROLS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;

export const URL_WIDTH = 60;

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Length in code points (what the columns are aligned by), without spreading the string into an
 * array when it holds no surrogate (nearly always: the table has one row per request, 50,000
 * rows in a large HAR).
 */
function codePoints(s: string): number {
  return SURROGATE.test(s) ? [...s].length : s.length;
}

/**
 * A URL cut to `max` characters in the middle: the start keeps the scheme, host and port (the
 * origin decides CORS), the end keeps the last part of the path or query (what tells requests
 * to one API apart). The fragment is dropped: it is never sent.
 */
export function shortenUrl(url: string, max = URL_WIDTH): string {
  const hash = url.indexOf('#');
  const u = hash < 0 ? url : url.slice(0, hash);
  if (u.length <= max) return u;
  const tail = Math.min(20, Math.floor(max / 3));
  // Without a surrogate pair, code units are code points: cut the string itself instead of
  // spreading it into an array of characters (every long URL of a large capture passes here).
  if (!SURROGATE.test(u)) return `${u.slice(0, max - tail - 1)}…${u.slice(u.length - tail)}`;
  if (codePoints(u) <= max) return u;
  const chars = [...u];
  return `${chars.slice(0, max - tail - 1).join('')}…${chars.slice(chars.length - tail).join('')}`;
}

const COLOURS: Record<CorsVerdict, string> = { fail: '\u001b[31m', pass: '\u001b[32m', unknown: '\u001b[33m', 'n/a': '\u001b[2m' };
const RESET = '\u001b[0m';

export interface TextOptions {
  colour: boolean;
  /** Terminal width: the WHY column is cut to fit; null = no limit (piped output). */
  width: number | null;
}

/** Whitespace that `\s+ → ' '` would change: any but a lone space (a run, a tab, a newline, NBSP…). */
const UNUSUAL_SPACE = /[^\S ]| {2}/;

function why(cors: CorsAnnotation): string {
  const extra = cors.verdict === 'pass' && cors.warnings.length > 0 ? ` (warning: ${cors.warnings.map((w) => w.code).join(', ')})` : '';
  const s = `${cors.message}${extra}`;
  // The engine's messages have single spaces only: the replace would copy each of the 50,000
  // messages of a large capture for nothing, so it runs only when it changes something.
  return (UNUSUAL_SPACE.test(s) ? s.replace(/\s+/g, ' ') : s).trim();
}

/** The aligned table: VERDICT, METHOD, URL, ERROR, WHY — one row per request, in start order. */
export function textTable(entries: readonly AnalyzedEntry[], opts: TextOptions): string {
  const order = byStart(entries);
  const header = ['VERDICT', 'METHOD', 'URL', 'ERROR', 'WHY'];
  // Cells in one flat list and the aligned columns' widths in code points measured once per cell
  // (a large capture has 50,000 rows; measuring again while padding, and an array per row, were
  // a quarter of the table's time).
  const n = order.length;
  const cells: string[] = new Array<string>(n * 5);
  const lens = new Int32Array(n * 4);
  const widths = [header[0]!.length, header[1]!.length, header[2]!.length, header[3]!.length];
  const put = (i: number, c: number, cell: string): void => {
    const len = codePoints(cell);
    cells[i * 5 + c] = cell;
    lens[i * 4 + c] = len;
    if (len > widths[c]!) widths[c] = len;
  };
  for (let i = 0; i < n; i++) {
    const { request, cors } = order[i]!;
    const hop = request.hops[0];
    put(i, 0, cors.verdict);
    put(i, 1, safeText(hop?.method ?? '?'));
    put(i, 2, shortenUrl(safeText(hop?.url ?? '?')));
    put(i, 3, safeText(cors.error ?? '-'));
    cells[i * 5 + 4] = safeText(why(cors));
  }
  const lead = widths.reduce((a, w) => a + w + 2, 0);
  const fit = (s: string): string => {
    if (opts.width === null) return s;
    const room = Math.max(opts.width - lead, 30);
    if (s.length <= room || codePoints(s) <= room) return s;
    return `${[...s].slice(0, room - 1).join('')}…`;
  };
  // One padding string per width, not one ' '.repeat per cell (four cells on each of 50,000 rows).
  const pads: string[] = [];
  const pad = (n: number): string => (pads[n] ??= ' '.repeat(n));
  const headerLine = header.slice(0, 4).reduce((acc, h, c) => `${acc}${c ? '  ' : ''}${h}${pad(widths[c]! - h.length)}`, '');
  const out: string[] = new Array<string>(n + 1);
  out[0] = `${headerLine}  ${fit(header[4]!)}`;
  for (let i = 0; i < n; i++) {
    const at = i * 5;
    const verdict = cells[at]! as CorsVerdict;
    let s = opts.colour ? `${COLOURS[verdict]}${verdict}${RESET}${pad(widths[0]! - verdict.length)}` : verdict + pad(widths[0]! - lens[i * 4]!);
    for (let c = 1; c < 4; c++) s += `  ${cells[at + c]!}${pad(widths[c]! - lens[i * 4 + c]!)}`;
    out[i + 1] = `${s}  ${fit(cells[at + 4]!)}`;
  }
  return `${out.join('\n')}\n`;
}
