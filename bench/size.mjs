/**
 * Benchmark 5 — size. For each entry point of the built Chrome extension (background worker,
 * DevTools panel, popup, devtools page): every file it loads — the HTML page's script and
 * stylesheet links and module preloads, then static imports of those scripts, transitively —
 * each gzipped (level 9) on its own, summed. Shared chunks count for every entry that loads them.
 */
import { readFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

/** @param {string} root @param {string} file path relative to root (posix) @returns {string[]} */
function importsOf(root, file) {
  const text = readFileSync(join(root, file), 'utf8');
  const out = [];
  // Static imports and re-exports the bundler emitted: import"./x.js", import {a} from "./x.js", export … from "./x.js".
  for (const m of text.matchAll(/(?:\bimport|\bfrom)\s*["']([^"']+\.m?js)["']/g)) out.push(m[1]);
  return out.map((spec) => (spec.startsWith('/') ? spec.slice(1) : posix.join(posix.dirname(file), spec)));
}

/** @param {string} root @param {string} html @returns {string[]} */
function htmlAssets(root, html) {
  const text = readFileSync(join(root, html), 'utf8');
  const out = [];
  for (const m of text.matchAll(/\b(?:src|href)="([^"]+\.(?:m?js|css))"/g)) {
    const spec = m[1];
    out.push(spec.startsWith('/') ? spec.slice(1) : posix.join(posix.dirname(html), spec));
  }
  return out;
}

/** @param {string} root @param {string[]} start */
function closure(root, start) {
  const seen = new Set();
  const stack = [...start];
  while (stack.length > 0) {
    const f = /** @type {string} */ (stack.pop());
    if (seen.has(f)) continue;
    seen.add(f);
    if (/\.m?js$/.test(f)) stack.push(...importsOf(root, f));
  }
  return [...seen].sort();
}

/** @param {string} root the unpacked Chrome extension */
export function measureSizes(root) {
  const manifest = JSON.parse(readFileSync(resolve(root, 'manifest.json'), 'utf8'));
  /** @type {Record<string, string[]>} */
  const entries = {
    background: closure(root, [manifest.background.service_worker]),
    panel: closure(root, htmlAssets(root, 'src/devtools/panel.html')),
    popup: closure(root, htmlAssets(root, manifest.action.default_popup)),
    'devtools page': closure(root, htmlAssets(root, manifest.devtools_page)),
  };
  /** @type {Record<string, {files: {file: string, bytes: number, gzip: number}[], bytes: number, gzip: number, gzipJs: number, gzipCss: number}>} */
  const out = {};
  for (const [name, files] of Object.entries(entries)) {
    const rows = files.map((file) => {
      const buf = readFileSync(join(root, file));
      return { file, bytes: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
    });
    out[name] = {
      files: rows,
      bytes: rows.reduce((a, r) => a + r.bytes, 0),
      gzip: rows.reduce((a, r) => a + r.gzip, 0),
      gzipJs: rows.filter((r) => !r.file.endsWith('.css')).reduce((a, r) => a + r.gzip, 0),
      gzipCss: rows.filter((r) => r.file.endsWith('.css')).reduce((a, r) => a + r.gzip, 0),
    };
  }
  return out;
}

