/**
 * The persisted text of a request (persist.ts: `f:`, `i:` and chunk values).
 *
 * The fields every request has as one array under `q` (`requestText`), any other own field as
 * itself, and its hops under `h`: each hop is an array of its fields in a fixed order
 * (`HOP_FIELDS`), and each header list is flat (`[name, value, name, value, …]`) with the names
 * found in `HEADER_NAMES` written as their index, and lines that repeat as a reference into the
 * header-line dictionary (`LineDictionary`).
 * Why (measured, docs/bench.md "Capture attribution" and "Session 8"): storage.session writes
 * are a large part of what CORS Lens costs over the benchmark floor, in the worker (the `set`
 * call converts and sends every byte) and in the browser process (which receives and keeps
 * them), a finished request is written twice (its `f:` key, then its chunk) and often once more
 * in flight (`i:`), and the wake reads every chunk back. Header names and hop field names are
 * most of what repeats in a request's text: a benchmark preflight is 1,026 bytes as plain flat
 * JSON and ≈ 690 in this form. The flat lists are also faster to produce than the header line
 * objects: those are frozen shared objects (intern.ts), which V8's JSON.stringify serialises
 * about 1.5× slower than arrays of strings (node 20: ≈ 16 µs against ≈ 12 µs).
 *
 * Reading accepts every form earlier builds wrote (hops as objects, header lists flat or as
 * `{name, value}` objects), so nothing depends on which build wrote a value.
 */
import type { HeaderEntry, ObservedOutcome, ObservedRequest, RequestHop } from '../core/model.ts';
import { headerLines } from '../platform/intern.ts';

/**
 * Header names written as their index in this list. Append only: an index, once written, must
 * mean the same name to every later build that reads it (a stored value outlives the worker,
 * though not an update of the extension). The exact case matters (a name is stored as seen):
 * the request names as Chromium and Firefox send them, the response names in both the case
 * common servers send and lower case (HTTP/2, Node).
 */
export const HEADER_NAMES: readonly string[] = Object.freeze([
  'Accept',
  'Accept-Encoding',
  'Accept-Language',
  'Access-Control-Request-Headers',
  'Access-Control-Request-Method',
  'Authorization',
  'Cache-Control',
  'Connection',
  'Content-Length',
  'Content-Type',
  'Cookie',
  'Host',
  'Origin',
  'Pragma',
  'Priority',
  'Referer',
  'Sec-Fetch-Dest',
  'Sec-Fetch-Mode',
  'Sec-Fetch-Site',
  'Sec-Fetch-User',
  'Upgrade-Insecure-Requests',
  'User-Agent',
  'X-Requested-With',
  'sec-ch-ua',
  'sec-ch-ua-mobile',
  'sec-ch-ua-platform',
  'Access-Control-Allow-Credentials',
  'Access-Control-Allow-Headers',
  'Access-Control-Allow-Methods',
  'Access-Control-Allow-Origin',
  'Access-Control-Expose-Headers',
  'Access-Control-Max-Age',
  'Content-Encoding',
  'Date',
  'ETag',
  'Expires',
  'Keep-Alive',
  'Last-Modified',
  'Location',
  'Server',
  'Set-Cookie',
  'Strict-Transport-Security',
  'Transfer-Encoding',
  'Vary',
  'X-Content-Type-Options',
  'access-control-allow-credentials',
  'access-control-allow-headers',
  'access-control-allow-methods',
  'access-control-allow-origin',
  'access-control-expose-headers',
  'access-control-max-age',
  'cache-control',
  'content-encoding',
  'content-length',
  'content-type',
  'date',
  'etag',
  'expires',
  'keep-alive',
  'last-modified',
  'location',
  'server',
  'set-cookie',
  'strict-transport-security',
  'transfer-encoding',
  'vary',
  'x-content-type-options',
  'accept',
  'accept-encoding',
  'accept-language',
  'origin',
  'referer',
  'user-agent',
  'access-control-request-headers',
  'access-control-request-method',
  'cookie',
  'authorization',
  'alt-svc',
  'age',
  'connection',
  'pragma',
  'x-frame-options',
  'content-security-policy',
  'cross-origin-resource-policy',
  'timing-allow-origin',
]);
const NAME_INDEX = new Map(HEADER_NAMES.map((n, i) => [n, i]));

/** The hop fields in the order `h` stores them. */
const HOP_FIELDS = ['url', 'method', 'requestHeaders', 'status', 'statusText', 'responseHeaders', 'redirectURL', 'startedMs', 'endedMs'] as const;

/**
 * Header lines that repeat from request to request (the `User-Agent`, the `Origin`, the
 * `Accept-*` and `Sec-Fetch-*` lines, a site's `Cookie`), each written once under a `d:` key
 * of persist.ts and then, in every request text, as a reference: `-1 - index` in the flat list
 * instead of the name and the value.
 * Why (measured on the capture benchmark's stored chunks, 2026-12-02): header lines were 64 % of
 * the characters of a stored request, and 99 % of those were lines that other requests repeat
 * (850 distinct lines among 53,386); the bytes of the `storage.session` writes, not their number,
 * are what persistence costs (docs/bench.md, "Session 9").
 *
 * A line enters when a second request has it (a value only one request has, an id or a length,
 * would only fill the dictionary; a request is written more than once, in flight and finished,
 * so sightings are counted per request), unless its name is one whose values are times (they
 * change every second, and would fill it in an hour of capture). Bounded in entries and in bytes; once full, new lines
 * are written inline as before. Entries are never removed or renumbered while the storage lives:
 * a stored text may refer to any of them.
 *
 * Durability: an entry is handed to the browser with the first `set` issued after the text that
 * refers to it was made (persist.ts `withDictionary`), in that same `set` or before it, and
 * `set`s land in order; one that fails gives its entries back for the next `set`. A worker that
 * restores reads the `d:` keys before any request; until then (`active` false) nothing refers to
 * the dictionary, so a request written during a restore cannot take an index a stored one has.
 */
export class LineDictionary {
  /** name → value → index in `lines`. */
  private readonly index = new Map<string, Map<string, number>>();
  /** Lines seen in one request so far (name → value → that request's id), bounded: a line enters when a second request has it. */
  private seen = new Map<string, Map<string, string>>();
  private seenCount = 0;
  /** Characters of the values in `seen`: they are kept alive by it (bounded too, see `SEEN_CHARS`). */
  private seenChars = 0;
  /** The entries; a hole is an entry a restore did not find (a `set` that never landed). */
  readonly lines: (HeaderEntry | undefined)[] = [];
  /** Entries from this index on have not been handed to a `set` yet. */
  private unsent = 0;
  /** Estimated bytes of the stored entries (persist.ts budgets them with the rest). */
  bytes = 0;
  /** False until a restore read the stored entries (or found none): no reference is made before. */
  active = false;

  constructor(
    private readonly maxEntries = 2048,
    private readonly maxBytes = 256 * 1024,
  ) {}

  /** The entry of this line, or -1 (it is written inline). Records a sighting in request `requestId`. */
  ref(name: string, value: string, requestId: string): number {
    const hit = this.index.get(name)?.get(value);
    if (hit !== undefined) return hit;
    if (!this.active || value.length > MAX_ENTRY_LENGTH || TIME_VALUED.has(name)) return -1;
    const size = entrySize(name, value);
    if (this.lines.length >= this.maxEntries || this.bytes + size > this.maxBytes) return -1;
    let once = this.seen.get(name);
    const by = once?.get(value);
    if (by === requestId) return -1;
    if (by === undefined) {
      if (this.seenCount >= SEEN_CAP || this.seenChars + value.length > SEEN_CHARS) {
        this.seen = new Map();
        this.seenCount = 0;
        this.seenChars = 0;
        once = undefined;
      }
      if (once === undefined) this.seen.set(name, (once = new Map()));
      once.set(value, requestId);
      this.seenCount++;
      this.seenChars += value.length;
      return -1;
    }
    once!.delete(value);
    this.seenCount--;
    this.seenChars -= value.length;
    const i = this.lines.length;
    this.place(i, name, value);
    return i;
  }

  /** Entry `at` is this line (a new one, or one a restore read back). */
  private place(at: number, name: string, value: string): void {
    while (this.lines.length < at) this.lines.push(undefined);
    this.lines[at] = headerLines.line(name, value);
    let byValue = this.index.get(name);
    if (byValue === undefined) this.index.set(name, (byValue = new Map()));
    byValue.set(value, at);
    this.bytes += entrySize(name, value);
  }

  /** The entries not handed to a `set` yet, as the key and value to write (null: none); they count as handed over. */
  takeUnsent(): { key: string; value: string; from: number } | null {
    const from = this.unsent;
    if (from >= this.lines.length) return null;
    this.unsent = this.lines.length;
    const flatLines: (string | number)[] = [];
    for (let i = from; i < this.lines.length; i++) {
      const l = this.lines[i];
      // A hole stays a hole (its line is unknown): an empty name marks it.
      flatLines.push(l ? (NAME_INDEX.get(l.name) ?? l.name) : '', l ? l.value : '');
    }
    return { key: `${DICTIONARY_PREFIX}${from}`, value: JSON.stringify(flatLines), from };
  }

  /** A `set` carrying entries from `from` on failed: they go again with the next one. */
  unsentFrom(from: number): void {
    this.unsent = Math.min(this.unsent, from);
  }

  /** A stored key (`d:<from>`, its value) read back by a restore. False when it is not one. */
  restore(key: string, raw: unknown): boolean {
    const from = Number(key.slice(DICTIONARY_PREFIX.length));
    if (!Number.isInteger(from) || from < 0 || from >= this.maxEntries || typeof raw !== 'string') return false;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      return false;
    }
    if (!Array.isArray(v)) return false;
    for (let i = 0; i + 1 < v.length && from + i / 2 < this.maxEntries; i += 2) {
      const n = v[i] as unknown;
      const name = typeof n === 'number' ? HEADER_NAMES[n] : n;
      const value = v[i + 1] as unknown;
      const at = from + i / 2;
      if (typeof name !== 'string' || name === '' || typeof value !== 'string' || this.lines[at]) continue;
      this.place(at, name, value);
    }
    this.unsent = this.lines.length;
    return true;
  }

  get size(): number {
    return this.lines.length;
  }

  /** Characters of the values seen in one request so far, kept for a second sighting (bounded). */
  get sightingChars(): number {
    return this.seenChars;
  }
}

/** What an entry is budgeted at (its name and value, and the JSON around them). */
function entrySize(name: string, value: string): number {
  return name.length + value.length + 8;
}

/** Key prefix of the dictionary's entries in storage (persist.ts). */
export const DICTIONARY_PREFIX = 'd:';
/** Longer values are written inline: a dictionary entry that large would be rare to repeat. */
const MAX_ENTRY_LENGTH = 4096;
/** Lines seen once, remembered at most (then forgotten, and counted afresh). */
const SEEN_CAP = 8192;
/**
 * …and at most this many characters of values: a server that sends long values unique to each
 * response (up to `MAX_ENTRY_LENGTH`) would otherwise keep 8,192 × 4 KB alive in the worker after
 * their requests are gone.
 */
const SEEN_CHARS = 512 * 1024;
/** Names whose values are times (new every second): never entries. */
const TIME_VALUED: ReadonlySet<string> = new Set(['Date', 'date', 'Expires', 'expires', 'Last-Modified', 'last-modified', 'Age', 'age']);

function flat(headers: readonly HeaderEntry[], dict: LineDictionary | undefined, requestId: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    const d = dict === undefined ? -1 : dict.ref(h.name, h.value, requestId);
    if (d >= 0) out.push(-1 - d);
    else out.push(NAME_INDEX.get(h.name) ?? h.name, h.value);
  }
  return out;
}

/**
 * webRequest types (Chromium and Firefox) written as their index under `q`. Append only, like
 * `HEADER_NAMES`; a type not in it is written as itself.
 */
export const RESOURCE_TYPES: readonly string[] = Object.freeze([
  'xmlhttprequest',
  'main_frame',
  'sub_frame',
  'script',
  'stylesheet',
  'image',
  'font',
  'media',
  'ping',
  'csp_report',
  'websocket',
  'object',
  'other',
  'beacon',
  'imageset',
  'object_subrequest',
  'speculative',
  'web_manifest',
  'xml_dtd',
  'xslt',
  'webtransport',
  'webbundle',
]);
const TYPE_INDEX = new Map(RESOURCE_TYPES.map((t, i) => [t, i]));

/**
 * The request's persisted JSON text; its repeated header lines as references into `dict` when
 * given. The fields every request has go in a fixed order under `q` (`[id, tabId, type,
 * initiator, outcome]`, the type as its `RESOURCE_TYPES` index, a completed outcome as 0 and an
 * incomplete one as 1); a stored request's field names and its `{"outcome":"completed"}` were
 * ≈ 80 of its ≈ 370 characters once the header lines went to the dictionary (2026-12-02).
 */
export function requestText(req: ObservedRequest, dict?: LineDictionary): string {
  const { id, tabId, resourceType, initiator, outcome, hops, ...rest } = req;
  const h = new Array<unknown>(hops.length);
  for (let i = 0; i < hops.length; i++) {
    const x = hops[i]!;
    h[i] = [x.url, x.method, flat(x.requestHeaders, dict, id), x.status, x.statusText, x.responseHeaders === null ? null : flat(x.responseHeaders, dict, id), x.redirectURL, x.startedMs, x.endedMs];
  }
  const o = outcome.outcome === 'completed' ? 0 : outcome.outcome === 'incomplete' ? 1 : outcome;
  // The rest keeps every other own field, the background's marks included (unseen.ts
  // `requestUnseen`).
  return JSON.stringify({ q: [id, tabId, TYPE_INDEX.get(resourceType) ?? resourceType, initiator, o], h, ...rest });
}

/** The `q` fields back onto the request (in place); false when they are not what `requestText` writes. */
function unpackFields(r: Record<string, unknown>, q: unknown): boolean {
  if (!Array.isArray(q) || q.length !== 5) return false;
  const [id, tabId, type, initiator, o] = q as unknown[];
  if (typeof id !== 'string' || (tabId !== null && typeof tabId !== 'number') || (initiator !== null && typeof initiator !== 'string')) return false;
  const resourceType = typeof type === 'number' ? RESOURCE_TYPES[type] : type;
  if (typeof resourceType !== 'string') return false;
  let outcome: ObservedOutcome;
  if (o === 0) outcome = { outcome: 'completed' };
  else if (o === 1) outcome = { outcome: 'incomplete' };
  else if (o && typeof o === 'object' && (o as ObservedOutcome).outcome === 'failed' && typeof (o as { error?: unknown }).error === 'string') outcome = o as ObservedOutcome;
  else return false;
  delete r.q;
  Object.assign(r, { id, tabId, resourceType, initiator, outcome });
  return true;
}

/** A header list in any form; null when it is not a list. Shared lines, as live capture has them. */
function headersFrom(v: unknown, dict: LineDictionary | undefined): HeaderEntry[] | null {
  if (!Array.isArray(v)) return null;
  if (v.length === 0 || (typeof v[0] !== 'string' && typeof v[0] !== 'number')) {
    // The object form (or empty): keep entries that are header lines.
    return v.filter((h): h is HeaderEntry => !!h && typeof h === 'object' && typeof h.name === 'string' && typeof h.value === 'string');
  }
  const out: HeaderEntry[] = [];
  for (let i = 0; i < v.length; ) {
    const n = v[i];
    if (typeof n === 'number' && n < 0) {
      // A dictionary entry. One the restore did not find (its `set` never landed) stays
      // visible as a line of its own rather than vanishing.
      const at = -1 - n;
      out.push(dict?.lines[at] ?? headerLines.line(`#line${at}`, ''));
      i += 1;
      continue;
    }
    if (i + 1 >= v.length) break;
    // An index this build does not know cannot come from storage.session (cleared when the
    // extension updates); kept visible rather than dropped if it ever does.
    const name = typeof n === 'number' ? (HEADER_NAMES[n] ?? `#${n}`) : n;
    const value = v[i + 1];
    if (typeof name === 'string' && typeof value === 'string') out.push(headerLines.line(name, value));
    i += 2;
  }
  return out;
}

/** A hop stored as an array (`HOP_FIELDS` order) back into a hop; null when it is not one. */
function hopFrom(a: unknown, dict: LineDictionary | undefined): RequestHop | null {
  if (!Array.isArray(a) || a.length !== HOP_FIELDS.length || typeof a[0] !== 'string') return null;
  return {
    url: a[0],
    method: typeof a[1] === 'string' ? a[1] : 'GET',
    requestHeaders: headersFrom(a[2], dict) ?? [],
    status: typeof a[3] === 'number' ? a[3] : 0,
    statusText: typeof a[4] === 'string' ? a[4] : '',
    responseHeaders: headersFrom(a[5], dict),
    redirectURL: typeof a[6] === 'string' ? a[6] : null,
    startedMs: typeof a[7] === 'number' ? a[7] : 0,
    endedMs: typeof a[8] === 'number' ? a[8] : null,
  };
}

/**
 * A parsed persisted value back into a request, in place (its hops and header lists become
 * hops and header lines again, references into `dict` its lines). Null when it does not look
 * like a request.
 */
export function reviveRequest(v: unknown, dict?: LineDictionary): ObservedRequest | null {
  if (!v || typeof v !== 'object') return null;
  const r = v as ObservedRequest & { h?: unknown; q?: unknown };
  if ('q' in r && !unpackFields(r as unknown as Record<string, unknown>, r.q)) return null;
  if (typeof r.id !== 'string') return null;
  if (Array.isArray(r.h) && r.hops === undefined) {
    const hops: RequestHop[] = [];
    for (const a of r.h) {
      const hop = hopFrom(a, dict);
      if (!hop) return null;
      hops.push(hop);
    }
    delete r.h;
    r.hops = hops;
    return r;
  }
  if (!Array.isArray(r.hops)) return null;
  for (const h of r.hops as (RequestHop | null)[]) {
    if (!h || typeof h !== 'object') return null;
    h.requestHeaders = headersFrom(h.requestHeaders, dict) ?? [];
    h.responseHeaders = headersFrom(h.responseHeaders, dict);
  }
  return r;
}
