#!/usr/bin/env node
/**
 * `npm run build`: dist/chrome, dist/firefox (unpacked extensions) and dist/cli/cors-lens.mjs.
 * `npm run build -- --test --sink URL`: test builds in dist-test/{chrome,firefox} whose background
 * also reports to a loopback log collector (never shipped: see vite.config.ts).
 */
import { build } from 'vite';
import { buildCli } from './build-cli.mjs';
import { statSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const test = args.includes('--test');
const sinkIdx = args.indexOf('--sink');
const sink = sinkIdx >= 0 ? args[sinkIdx + 1] : test ? 'http://127.0.0.1:18419/__cors_lens_log' : '';
const only = args.includes('--cli-only') ? ['cli'] : args.includes('--ext-only') ? ['chrome', 'firefox'] : ['chrome', 'firefox', 'cli'];

const started = performance.now();
for (const target of only.filter((t) => t !== 'cli')) {
  const outDir = resolve(root, test ? 'dist-test' : 'dist', target);
  process.env.TARGET = target;
  process.env.CORS_LENS_OUT_DIR = outDir;
  process.env.CORS_LENS_LOG_SINK = sink;
  const t0 = performance.now();
  await build({ root, configFile: resolve(root, 'vite.config.ts'), logLevel: 'warn' });
  console.log(`built ${target}${test ? ' (test build)' : ''} → ${outDir} in ${Math.round(performance.now() - t0)} ms`);
}
if (only.includes('cli') && !test) {
  const outfile = await buildCli(resolve(root, 'dist/cli/cors-lens.mjs'));
  console.log(`built cli → ${outfile} (${statSync(outfile).size} bytes)`);
}
console.log(`build done in ${Math.round(performance.now() - started)} ms`);
