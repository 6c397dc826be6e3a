/**
 * Bundles the `cors-lens` CLI (src/cli/main.ts) into one Node ESM file. Used by scripts/build.mjs
 * (→ dist/cli/cors-lens.mjs) and by the benchmarks (→ bench/out/cli/), so both run the same build.
 */
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * @param {string} outfile absolute path of the bundle to write
 * @param {string} [from] the source tree (default: this checkout; the benchmark passes an older
 *   commit's, bench/lib/build.mjs `buildCliCommit`)
 */
export async function buildCli(outfile, from = root) {
  const pkg = JSON.parse(readFileSync(resolve(from, 'package.json'), 'utf8'));
  await build({
    entryPoints: [resolve(from, 'src/cli/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    define: { __CORS_LENS_VERSION__: JSON.stringify(pkg.version) },
    logLevel: 'warning',
  });
  return outfile;
}
