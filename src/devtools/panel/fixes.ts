/**
 * Server-side fix snippets generated from one exchange's real origin, method and headers.
 *
 * Pure: input → strings. The values come from captured headers, so they are untrusted twice over:
 * the panel renders them as text (never HTML), and here every value is checked against the
 * grammar it must have (an origin, an HTTP token) before it is pasted into a config file, so a
 * hostile `Origin` or `Access-Control-Request-Headers` cannot smuggle directives into a snippet
 * the user may copy into their server.
 */
import type { AnalyzedEntry } from '../../core/annotation.ts';
import { firstHop, headerGet } from '../../core/model.ts';

export interface FixInput {
  /** The exact origin to allow (serialized, no trailing slash), or 'null'. */
  origin: string;
  /** Methods the server must allow (upper-case as sent; method names are case-sensitive). */
  methods: string[];
  /** Request header names the server must allow (lower-case). */
  headers: string[];
  /** Whether the request carries credentials (cookies): needs ACAC: true and no wildcard. */
  credentials: boolean;
  /** Preflight cache lifetime to recommend, in seconds. */
  maxAge: number;
}

export type FixTarget = 'express' | 'fastify' | 'nginx' | 'apache' | 'caddy' | 'spring' | 'aspnet';

export interface FixSnippet {
  target: FixTarget;
  label: string;
  language: string;
  code: string;
}

/**
 * 10 minutes: long enough to spare most repeat preflights, short enough that a policy change
 * reaches users quickly. Chromium caps any value at 7200 s, Firefox at 86400 s (cors-anchors §3a).
 */
export const DEFAULT_MAX_AGE = 600;

/** RFC 9110 §5.6.2 token: what a method or header name must be. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A serialized origin: scheme://host[:port], nothing else (Fetch §origin serialization). */
const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[A-Za-z0-9.\-[\]:]+$/;

/** Methods that need no Access-Control-Allow-Methods entry (Fetch §CORS-safelisted method). */
const SAFELISTED_METHODS = new Set(['GET', 'HEAD', 'POST']);

export function isValidOrigin(s: string): boolean {
  return s === 'null' || ORIGIN.test(s);
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** Normalises and validates the input; invalid values are dropped, never escaped into configs. */
export function sanitizeFixInput(input: FixInput): FixInput {
  const origin = isValidOrigin(input.origin) ? input.origin : 'https://your-app.example';
  const methods = uniq(input.methods.map((m) => m.trim()).filter((m) => TOKEN.test(m)));
  const headers = uniq(input.headers.map((h) => h.trim().toLowerCase()).filter((h) => TOKEN.test(h))).sort();
  const maxAge = Number.isSafeInteger(input.maxAge) && input.maxAge >= 0 ? input.maxAge : DEFAULT_MAX_AGE;
  return { origin, methods: methods.length ? methods : ['GET'], headers, credentials: input.credentials, maxAge };
}

function splitList(v: string | null): string[] {
  return (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * What this exchange needs from the server. Reads the preflight's own Access-Control-Request-*
 * when there is one (DESIGN §2: browsers leave out headers they add themselves, so the request's
 * header list would over-ask), else falls back to the recorded preflight triggers.
 */
export function fixInputFor(entry: AnalyzedEntry, pair: AnalyzedEntry | undefined): FixInput {
  const request = entry.cors.kind === 'preflight' && pair ? pair : entry;
  const preflight = entry.cors.kind === 'preflight' ? entry : pair?.cors.kind === 'preflight' ? pair : undefined;
  const reqHop = firstHop(request.request);
  const origin = entry.cors.origin ?? request.cors.origin ?? entry.request.initiator ?? '';

  const methods: string[] = [];
  let headers: string[] = [];
  if (preflight) {
    const pfHeaders = firstHop(preflight.request).requestHeaders;
    const acrm = headerGet(pfHeaders, 'access-control-request-method');
    if (acrm) methods.push(acrm);
    headers = splitList(headerGet(pfHeaders, 'access-control-request-headers'));
  }
  if (request !== preflight && reqHop.method !== 'OPTIONS') methods.push(reqHop.method);
  for (const t of request.cors.preflightTriggers) {
    if (t.kind === 'method') methods.push(t.value);
    if ((t.kind === 'header' || t.kind === 'content-type') && !preflight) headers.push(t.kind === 'content-type' ? 'content-type' : t.value);
  }
  const nonSafe = uniq(methods).filter((m) => !SAFELISTED_METHODS.has(m));
  return {
    origin,
    // List the safelisted method actually used too: frameworks replace their default list.
    methods: uniq([...nonSafe, ...methods.filter((m) => SAFELISTED_METHODS.has(m))]),
    headers,
    credentials: request.cors.credentials === 'include' || entry.cors.credentials === 'include',
    maxAge: DEFAULT_MAX_AGE,
  };
}

const q = (s: string): string => `'${s}'`;
const dq = (s: string): string => `"${s}"`;

function express(i: FixInput): string {
  const lines = [
    `// npm install cors`,
    `const cors = require('cors');`,
    ``,
    `// Before your routes: answers the OPTIONS preflight and decorates the response.`,
    `app.use(cors({`,
    `  origin: ${q(i.origin)},`,
    `  methods: [${i.methods.map(q).join(', ')}],`,
  ];
  if (i.headers.length) lines.push(`  allowedHeaders: [${i.headers.map(q).join(', ')}],`);
  if (i.credentials) lines.push(`  credentials: true,`);
  lines.push(`  maxAge: ${i.maxAge},`, `}));`);
  return lines.join('\n');
}

function fastify(i: FixInput): string {
  const lines = [`// npm install @fastify/cors`, `await fastify.register(require('@fastify/cors'), {`, `  origin: ${q(i.origin)},`, `  methods: [${i.methods.map(q).join(', ')}],`];
  if (i.headers.length) lines.push(`  allowedHeaders: [${i.headers.map(q).join(', ')}],`);
  if (i.credentials) lines.push(`  credentials: true,`);
  lines.push(`  maxAge: ${i.maxAge},`, `});`);
  return lines.join('\n');
}

function nginx(i: FixInput): string {
  const pre = [`add_header Access-Control-Allow-Origin ${dq(i.origin)} always;`];
  if (i.credentials) pre.push(`add_header Access-Control-Allow-Credentials "true" always;`);
  pre.push(`add_header Vary "Origin" always;`);
  const pf = [...pre, `add_header Access-Control-Allow-Methods ${dq(i.methods.join(', '))} always;`];
  if (i.headers.length) pf.push(`add_header Access-Control-Allow-Headers ${dq(i.headers.join(', '))} always;`);
  pf.push(`add_header Access-Control-Max-Age ${i.maxAge} always;`, `return 204;`);
  return [
    `location / {`,
    `    # nginx drops add_header from outer blocks inside "if": repeat them for the preflight.`,
    `    if ($request_method = OPTIONS) {`,
    ...pf.map((l) => `        ${l}`),
    `    }`,
    ...pre.map((l) => `    ${l}`),
    `    # ... your proxy_pass / root here`,
    `}`,
  ].join('\n');
}

function apache(i: FixInput): string {
  const lines = [`<IfModule mod_headers.c>`, `    Header always set Access-Control-Allow-Origin ${dq(i.origin)}`];
  if (i.credentials) lines.push(`    Header always set Access-Control-Allow-Credentials "true"`);
  lines.push(`    Header always set Access-Control-Allow-Methods ${dq(i.methods.join(', '))}`);
  if (i.headers.length) lines.push(`    Header always set Access-Control-Allow-Headers ${dq(i.headers.join(', '))}`);
  lines.push(
    `    Header always set Access-Control-Max-Age "${i.maxAge}"`,
    `    Header always merge Vary "Origin"`,
    `</IfModule>`,
    `# Answer the preflight itself with 2xx (it must not reach an app that rejects OPTIONS)`,
    `RewriteEngine On`,
    `RewriteCond %{REQUEST_METHOD} OPTIONS`,
    `RewriteRule ^(.*)$ $1 [R=204,L]`,
  );
  return lines.join('\n');
}

function caddy(i: FixInput): string {
  const lines = [`api.example.com {`, `    header Access-Control-Allow-Origin ${dq(i.origin)}`];
  if (i.credentials) lines.push(`    header Access-Control-Allow-Credentials "true"`);
  lines.push(`    header Vary "Origin"`, ``, `    @preflight method OPTIONS`, `    handle @preflight {`, `        header Access-Control-Allow-Methods ${dq(i.methods.join(', '))}`);
  if (i.headers.length) lines.push(`        header Access-Control-Allow-Headers ${dq(i.headers.join(', '))}`);
  lines.push(`        header Access-Control-Max-Age "${i.maxAge}"`, `        respond 204`, `    }`, `    # ... reverse_proxy / file_server here`, `}`);
  return lines.join('\n');
}

function spring(i: FixInput): string {
  const lines = [
    `@Configuration`,
    `public class CorsConfig implements WebMvcConfigurer {`,
    `    @Override`,
    `    public void addCorsMappings(CorsRegistry registry) {`,
    `        registry.addMapping("/**")`,
    `            .allowedOrigins(${dq(i.origin)})`,
    `            .allowedMethods(${i.methods.map(dq).join(', ')})`,
  ];
  if (i.headers.length) lines.push(`            .allowedHeaders(${i.headers.map(dq).join(', ')})`);
  if (i.credentials) lines.push(`            .allowCredentials(true)`);
  lines.push(`            .maxAge(${i.maxAge});`, `    }`, `}`);
  return lines.join('\n');
}

function aspnet(i: FixInput): string {
  const lines = [
    `// Program.cs`,
    `builder.Services.AddCors(options =>`,
    `{`,
    `    options.AddPolicy("CorsLens", policy => policy`,
    `        .WithOrigins(${dq(i.origin)})`,
    `        .WithMethods(${i.methods.map(dq).join(', ')})`,
  ];
  if (i.headers.length) lines.push(`        .WithHeaders(${i.headers.map(dq).join(', ')})`);
  if (i.credentials) lines.push(`        .AllowCredentials()`);
  lines.push(`        .SetPreflightMaxAge(TimeSpan.FromSeconds(${i.maxAge})));`, `});`, ``, `// after UseRouting(), before MapControllers():`, `app.UseCors("CorsLens");`);
  return lines.join('\n');
}

export const FIX_TARGETS: readonly { target: FixTarget; label: string; language: string; gen: (i: FixInput) => string }[] = [
  { target: 'express', label: 'Express (cors)', language: 'javascript', gen: express },
  { target: 'fastify', label: 'Fastify', language: 'javascript', gen: fastify },
  { target: 'nginx', label: 'nginx', language: 'nginx', gen: nginx },
  { target: 'apache', label: 'Apache', language: 'apache', gen: apache },
  { target: 'caddy', label: 'Caddy', language: 'caddyfile', gen: caddy },
  { target: 'spring', label: 'Spring', language: 'java', gen: spring },
  { target: 'aspnet', label: 'ASP.NET Core', language: 'csharp', gen: aspnet },
];

export function generateFixes(input: FixInput): FixSnippet[] {
  const i = sanitizeFixInput(input);
  return FIX_TARGETS.map(({ target, label, language, gen }) => ({ target, label, language, code: gen(i) }));
}
