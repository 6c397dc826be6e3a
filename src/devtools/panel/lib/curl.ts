/**
 * "Copy as cURL" for one hop, POSIX-shell quoted. Header values are captured data: single
 * quotes make the shell take them literally (the only character to escape is the quote itself).
 */
import type { RequestHop } from '../../../core/model.ts';

export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** Headers curl sets itself or that HTTP/2 shows as pseudo-headers. */
const SKIP = new Set(['content-length', 'host', 'connection']);

export function toCurl(hop: Pick<RequestHop, 'url' | 'method' | 'requestHeaders'>): string {
  const parts = [`curl ${shellQuote(hop.url)}`, `-X ${shellQuote(hop.method)}`];
  for (const h of hop.requestHeaders) {
    if (h.name.startsWith(':') || SKIP.has(h.name.toLowerCase())) continue;
    // Newlines would end the command early: headers cannot contain them on the wire anyway.
    parts.push(`-H ${shellQuote(`${h.name}: ${h.value}`.replace(/[\r\n]+/g, ' '))}`);
  }
  parts.push('-i');
  return parts.join(' \\\n  ');
}
