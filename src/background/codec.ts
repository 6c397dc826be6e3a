/**
 * The persisted text of a request (persist.ts: `f:`, `i:` and chunk values).
 *
 * Same JSON as the request itself, except that each hop's header lists are flat string arrays
 * (`["name", "value", "name", "value", …]`) instead of arrays of `{name, value}` objects.
 * Why (measured, docs/bench.md "Capture attribution"): storage.session writes are the largest
 * part of what CORS Lens costs over the benchmark floor, in the worker (the `set` call converts
 * and sends every byte) and in the browser process (which receives and keeps them), and every
 * finished request is written twice (its `f:` key, then its chunk). Headers are most of a
 * request's text; the flat form is about a quarter shorter for the benchmark's requests. It is
 * also faster to produce: the shared header lines are frozen objects (intern.ts), which
 * V8's JSON.stringify serialises about 1.5× slower than plain arrays of strings (node 20, a
 * benchmark-shaped request: ≈ 16 µs against ≈ 12 µs for the flat form, copying included).
 *
 * Reading accepts both forms (a header list of objects is kept as it is), so nothing depends
 * on which build wrote a value.
 */
import type { HeaderEntry, ObservedRequest, RequestHop } from '../core/model.ts';
import { headerLines } from '../platform/intern.ts';

function flat(headers: readonly HeaderEntry[]): string[] {
  const out = new Array<string>(headers.length * 2);
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    out[2 * i] = h.name;
    out[2 * i + 1] = h.value;
  }
  return out;
}

/** The request's persisted JSON text. */
export function requestText(req: ObservedRequest): string {
  const hops = new Array<unknown>(req.hops.length);
  for (let i = 0; i < req.hops.length; i++) {
    const h = req.hops[i]!;
    hops[i] = { ...h, requestHeaders: flat(h.requestHeaders), responseHeaders: h.responseHeaders === null ? null : flat(h.responseHeaders) };
  }
  // Spread keeps every own field, the background's marks included (unseen.ts `requestUnseen`).
  return JSON.stringify({ ...req, hops });
}

/** A header list in either form; null when it is not a list. Shared lines, as live capture has them. */
function headersFrom(v: unknown): HeaderEntry[] | null {
  if (!Array.isArray(v)) return null;
  if (v.length === 0 || typeof v[0] !== 'string') {
    // The object form (or empty): keep entries that are header lines.
    return v.filter((h): h is HeaderEntry => !!h && typeof h === 'object' && typeof h.name === 'string' && typeof h.value === 'string');
  }
  const out: HeaderEntry[] = [];
  for (let i = 0; i + 1 < v.length; i += 2) {
    const name = v[i];
    const value = v[i + 1];
    if (typeof name === 'string' && typeof value === 'string') out.push(headerLines.line(name, value));
  }
  return out;
}

/**
 * A parsed persisted value back into a request, in place (its header lists become header lines
 * again). Null when it does not look like a request.
 */
export function reviveRequest(v: unknown): ObservedRequest | null {
  if (!v || typeof v !== 'object') return null;
  const r = v as ObservedRequest;
  if (typeof r.id !== 'string' || !Array.isArray(r.hops)) return null;
  for (const h of r.hops as (RequestHop | null)[]) {
    if (!h || typeof h !== 'object') return null;
    h.requestHeaders = headersFrom(h.requestHeaders) ?? [];
    h.responseHeaders = headersFrom(h.responseHeaders);
  }
  return r;
}
