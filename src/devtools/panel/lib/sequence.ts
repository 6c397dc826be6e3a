/**
 * The model of the browser ↔ server sequence diagram and of the "evidence" table, built from one
 * exchange (a request and its preflight). Pure, so the diagram's content is unit-tested.
 */
import type { AnalyzedEntry } from '../../../core/annotation.ts';
import { firstHop, headerGet, headerValues, type HeaderEntry, type RequestHop } from '../../../core/model.ts';
import { splitUrl } from './format.ts';

/** Which response a Chromium CorsError is about, and the header it names (cors-anchors §1a). */
export interface ErrorSite {
  phase: 'preflight' | 'response' | 'redirect' | 'none';
  header: string | null;
}

const ACAO = 'Access-Control-Allow-Origin';
const ACAC = 'Access-Control-Allow-Credentials';

export function errorSite(code: string | null): ErrorSite {
  if (!code) return { phase: 'none', header: null };
  const table: Record<string, ErrorSite> = {
    WildcardOriginNotAllowed: { phase: 'response', header: ACAO },
    MissingAllowOriginHeader: { phase: 'response', header: ACAO },
    MultipleAllowOriginValues: { phase: 'response', header: ACAO },
    InvalidAllowOriginValue: { phase: 'response', header: ACAO },
    AllowOriginMismatch: { phase: 'response', header: ACAO },
    InvalidAllowCredentials: { phase: 'response', header: ACAC },
    InvalidResponse: { phase: 'response', header: null },
    PreflightInvalidStatus: { phase: 'preflight', header: 'status' },
    PreflightDisallowedRedirect: { phase: 'preflight', header: 'Location' },
    PreflightWildcardOriginNotAllowed: { phase: 'preflight', header: ACAO },
    PreflightMissingAllowOriginHeader: { phase: 'preflight', header: ACAO },
    PreflightMultipleAllowOriginValues: { phase: 'preflight', header: ACAO },
    PreflightInvalidAllowOriginValue: { phase: 'preflight', header: ACAO },
    PreflightAllowOriginMismatch: { phase: 'preflight', header: ACAO },
    PreflightInvalidAllowCredentials: { phase: 'preflight', header: ACAC },
    InvalidAllowMethodsPreflightResponse: { phase: 'preflight', header: 'Access-Control-Allow-Methods' },
    InvalidAllowHeadersPreflightResponse: { phase: 'preflight', header: 'Access-Control-Allow-Headers' },
    MethodDisallowedByPreflightResponse: { phase: 'preflight', header: 'Access-Control-Allow-Methods' },
    HeaderDisallowedByPreflightResponse: { phase: 'preflight', header: 'Access-Control-Allow-Headers' },
    RedirectContainsCredentials: { phase: 'redirect', header: 'Location' },
  };
  return table[code] ?? (code.startsWith('Preflight') ? { phase: 'preflight', header: null } : { phase: 'response', header: null });
}

export interface SeqHeader {
  name: string;
  value: string;
  /** The header the failure is about. */
  failing: boolean;
}

export interface SeqStep {
  dir: 'to-server' | 'to-browser' | 'note';
  title: string;
  headers: SeqHeader[];
  /** The message that broke the exchange, drawn in red. */
  broken: boolean;
  /** "failing: <header>" label for the broken arrow. */
  failingLabel: string | null;
}

/** Splits an exchange into its request entry and its preflight entry, from either side. */
export function exchangeOf(entry: AnalyzedEntry, byId: ReadonlyMap<string, AnalyzedEntry>): { request: AnalyzedEntry | undefined; preflight: AnalyzedEntry | undefined } {
  const other = entry.cors.pairedWith ? byId.get(entry.cors.pairedWith) : undefined;
  if (entry.cors.kind === 'preflight') return { request: other, preflight: entry };
  return { request: entry, preflight: other?.cors.kind === 'preflight' ? other : undefined };
}

const isCorsHeader = (n: string): boolean => n.startsWith('access-control-');

function pick(headers: readonly HeaderEntry[] | null, keep: (lowerName: string) => boolean, failing: string | null): SeqHeader[] {
  const f = failing?.toLowerCase();
  return (headers ?? []).filter((h) => keep(h.name.toLowerCase())).map((h) => ({ name: h.name, value: h.value, failing: h.name.toLowerCase() === f }));
}

/** A header the failure names but the response lacks is still shown, as "(absent)". */
function withAbsent(list: SeqHeader[], failing: string | null): SeqHeader[] {
  if (!failing || failing === 'status' || failing === 'Location' || list.some((h) => h.failing)) return list;
  return [...list, { name: failing, value: '(absent)', failing: true }];
}

function requestTitle(hop: RequestHop): string {
  return `${hop.method} ${splitUrl(hop.url).path}`;
}

function responseTitle(hop: RequestHop): string {
  return hop.status ? `${hop.status} ${hop.statusText}`.trim() : 'no response';
}

export function buildSequence(request: AnalyzedEntry | undefined, preflight: AnalyzedEntry | undefined): SeqStep[] {
  const steps: SeqStep[] = [];
  const verdictEntry = request ?? preflight;
  const failed = verdictEntry?.cors.verdict === 'fail' || preflight?.cors.verdict === 'fail';
  const code = request?.cors.error ?? preflight?.cors.error ?? null;
  const site = failed ? errorSite(code) : { phase: 'none' as const, header: null };
  const failLabel = (h: string | null): string => `failing: ${h ?? code ?? 'CORS check'}`;

  if (preflight) {
    const hop = firstHop(preflight.request);
    steps.push({
      dir: 'to-server',
      title: `${requestTitle(hop)} (preflight)`,
      headers: pick(hop.requestHeaders, (n) => n === 'origin' || n.startsWith('access-control-request-'), null),
      broken: false,
      failingLabel: null,
    });
    const broken = site.phase === 'preflight';
    const headers = pick(hop.responseHeaders, (n) => isCorsHeader(n) || (broken && site.header === 'Location' && n === 'location'), broken ? site.header : null);
    steps.push({
      dir: 'to-browser',
      title: responseTitle(hop),
      headers: broken ? withAbsent(headers, site.header) : headers,
      broken,
      failingLabel: broken ? failLabel(site.header) : null,
    });
  } else if (request && request.cors.preflightCache && 'hit' in request.cors.preflightCache) {
    steps.push({ dir: 'note', title: 'Preflight answered from the browser’s preflight cache: no OPTIONS sent', headers: [], broken: false, failingLabel: null });
  }

  if (!request) {
    steps.push({ dir: 'note', title: 'The request this preflight guarded is not in the capture', headers: [], broken: false, failingLabel: null });
    return steps;
  }
  if (site.phase === 'preflight' || (request.cors.kind === 'preflighted' && firstHop(request.request).status === 0 && request.cors.verdict === 'fail' && !firstHop(request.request).responseHeaders)) {
    steps.push({ dir: 'note', title: `${requestTitle(firstHop(request.request))}: never sent (blocked by the preflight)`, headers: [], broken: false, failingLabel: null });
    return steps;
  }

  const hops = request.request.hops;
  hops.forEach((hop, i) => {
    const last = i === hops.length - 1;
    steps.push({
      dir: 'to-server',
      title: requestTitle(hop) + (i > 0 ? ` (after redirect ${i})` : ''),
      headers: pick(hop.requestHeaders, (n) => n === 'origin' || n === 'cookie' || n === 'content-type' || n === 'authorization', null),
      broken: false,
      failingLabel: null,
    });
    const broken = (last && site.phase === 'response') || (!last && site.phase === 'redirect' && i === hops.length - 2);
    const headers = pick(hop.responseHeaders, (n) => isCorsHeader(n) || (!last && n === 'location') || n === 'vary', broken ? site.header : null);
    steps.push({
      dir: 'to-browser',
      title: responseTitle(hop) + (hop.redirectURL ? ` → ${hop.redirectURL}` : ''),
      headers: broken ? withAbsent(headers, site.header) : headers,
      broken,
      failingLabel: broken ? failLabel(site.header) : null,
    });
  });
  if (failed && site.phase === 'response') {
    steps.push({ dir: 'note', title: 'The browser withholds the response from the page’s script', headers: [], broken: false, failingLabel: null });
  }
  return steps;
}

export interface EvidenceRow {
  check: string;
  expected: string;
  received: string;
  /** Whether this row is the one the verdict names. */
  failing: boolean;
}

/**
 * Expected vs received for the checks that decided the exchange. The verdict itself comes from the
 * engine; these rows only lay the values side by side, and mark the row the error code names.
 */
export function buildEvidence(request: AnalyzedEntry | undefined, preflight: AnalyzedEntry | undefined): EvidenceRow[] {
  const rows: EvidenceRow[] = [];
  const main = request ?? preflight;
  if (!main) return rows;
  const origin = main.cors.origin ?? '(no Origin header)';
  const credentials = (request ?? main).cors.credentials === 'include';
  const code = request?.cors.error ?? preflight?.cors.error ?? null;
  const site = errorSite(code);
  const absent = '(absent)';

  const originRows = (phase: 'preflight' | 'response', hop: RequestHop): void => {
    const label = phase === 'preflight' ? 'preflight ' : '';
    const acao = headerValues(hop.responseHeaders, ACAO);
    rows.push({
      check: `${label}${ACAO}`,
      expected: credentials ? origin : `${origin} or *`,
      received: acao.length ? acao.join(' | ') : absent,
      failing: site.phase === phase && site.header === ACAO,
    });
    if (credentials) {
      rows.push({
        check: `${label}${ACAC}`,
        expected: 'true',
        received: headerGet(hop.responseHeaders, ACAC) ?? absent,
        failing: site.phase === phase && site.header === ACAC,
      });
    }
  };

  if (preflight) {
    const hop = firstHop(preflight.request);
    rows.push({ check: 'preflight status', expected: '200–299', received: hop.status ? String(hop.status) : 'no response', failing: site.phase === 'preflight' && site.header === 'status' });
    if (hop.responseHeaders) originRows('preflight', hop);
    const acrm = headerGet(hop.requestHeaders, 'access-control-request-method');
    if (acrm) {
      rows.push({
        check: 'Access-Control-Allow-Methods',
        expected: `includes ${acrm}`,
        received: headerGet(hop.responseHeaders, 'access-control-allow-methods') ?? absent,
        failing: site.header === 'Access-Control-Allow-Methods',
      });
    }
    const acrh = headerGet(hop.requestHeaders, 'access-control-request-headers');
    if (acrh) {
      rows.push({
        check: 'Access-Control-Allow-Headers',
        expected: `includes ${acrh}`,
        received: headerGet(hop.responseHeaders, 'access-control-allow-headers') ?? absent,
        failing: site.header === 'Access-Control-Allow-Headers',
      });
    }
  }
  if (request && site.phase !== 'preflight') {
    const last = request.request.hops.at(-1)!;
    if (last.responseHeaders) originRows('response', last);
  }
  return rows;
}
