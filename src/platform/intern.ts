/**
 * Shared copies of the strings and header lines every request repeats.
 *
 * Why: the extension bindings hand every webRequest event fresh copies of every header name and
 * value, and the engine builds its explanation texts anew for every entry. The store keeps
 * thousands of entries, so the same `User-Agent`, `Origin`, `Accept-Language` … lived once per
 * request: measured in the worker's heap snapshot (bench/memory.mjs --profile), strings were
 * 4.5 MB of 11 MB for 3,000 entries, ~1.5 KB per entry in duplicates. One copy per distinct
 * value is enough: JavaScript strings are immutable, so sharing them is invisible.
 *
 * Header lines are shared as whole `{name, value}` objects (frozen, so an accidental write
 * anywhere throws instead of changing every request that shares the line). Nothing in
 * src/core, src/background or the HAR writer writes into a header line: they copy.
 *
 * Both pools are bounded: values that differ per request (dates, lengths, URLs) would otherwise
 * grow them without end. When a pool is full it starts afresh; entries already stored keep the
 * copies they got, so the worst case is one extra copy per distinct value per refill.
 */
import type { HeaderEntry } from '../core/model.ts';

/** Longer strings are rarely repeated (bodies of a header nobody shares): not worth a slot. */
const MAX_INTERNED_LENGTH = 512;

export class StringPool {
  private map = new Map<string, string>();

  constructor(private readonly cap = 8192) {}

  intern(s: string): string;
  intern(s: string | null): string | null;
  intern(s: string | null): string | null {
    if (s === null || s.length > MAX_INTERNED_LENGTH) return s;
    const hit = this.map.get(s);
    if (hit !== undefined) return hit;
    if (this.map.size >= this.cap) this.map = new Map();
    this.map.set(s, s);
    return s;
  }

  get size(): number {
    return this.map.size;
  }
}

export class HeaderPool {
  /** name → its shared copy and its lines by value. */
  private byName = new Map<string, { name: string; lines: Map<string, HeaderEntry> }>();
  private count = 0;

  constructor(private readonly cap = 8192) {}

  line(name: string, value: string): HeaderEntry {
    let n = this.byName.get(name);
    if (n === undefined) {
      if (this.count >= this.cap) this.reset();
      n = { name, lines: new Map() };
      this.byName.set(name, n);
    }
    const hit = n.lines.get(value);
    if (hit !== undefined) return hit;
    const line: HeaderEntry = Object.freeze({ name: n.name, value });
    if (value.length > MAX_INTERNED_LENGTH) return line;
    if (this.count >= this.cap) {
      this.reset();
      this.byName.set(n.name, (n = { name: n.name, lines: new Map() }));
    }
    n.lines.set(value, line);
    this.count++;
    return line;
  }

  private reset(): void {
    this.byName = new Map();
    this.count = 0;
  }

  get size(): number {
    return this.count;
  }
}

/** The pools of this worker (one per realm: the background, or a test). */
export const strings = new StringPool();
export const headerLines = new HeaderPool();
