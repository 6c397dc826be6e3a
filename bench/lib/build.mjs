/**
 * The benchmark's own builds, into bench/out/ (never dist/: other work rebuilds dist/ while a
 * run may be reading it). Same sources and the same configuration as `npm run build`
 * (vite.config.ts for the extensions, the esbuild options of scripts/build.mjs for the CLI).
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli as buildCliBundle } from '../../scripts/build-cli.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const OUT = resolve(ROOT, 'bench/out');

/**
 * Builds the release extension for `target` into bench/out/ext/<target>; with `readable`, an
 * unminified copy into bench/out/ext-readable/<target> (for profiles with real function names).
 */
export async function buildExtension(/** @type {'chrome'|'firefox'} */ target, readable = false) {
  const { build } = await import('vite');
  const outDir = resolve(OUT, readable ? 'ext-readable' : 'ext', target);
  const saved = { TARGET: process.env.TARGET, OUT: process.env.CORS_LENS_OUT_DIR, SINK: process.env.CORS_LENS_LOG_SINK };
  process.env.TARGET = target;
  process.env.CORS_LENS_OUT_DIR = outDir;
  process.env.CORS_LENS_LOG_SINK = ''; // a release build: no test log sink
  try {
    await build({ root: ROOT, configFile: resolve(ROOT, 'vite.config.ts'), logLevel: 'error', ...(readable ? { build: { minify: false } } : {}) });
  } finally {
    for (const [k, v] of [['TARGET', saved.TARGET], ['CORS_LENS_OUT_DIR', saved.OUT], ['CORS_LENS_LOG_SINK', saved.SINK]]) {
      if (v === undefined) delete process.env[/** @type {string} */ (k)];
      else process.env[/** @type {string} */ (k)] = v;
    }
  }
  return outDir;
}

/** Builds the CLI (as scripts/build.mjs does) into bench/out/cli/cors-lens.mjs. */
export async function buildCli() {
  return buildCliBundle(resolve(OUT, 'cli/cors-lens.mjs'));
}

/** The engine (src/core + src/core/har) as one ES module for in-process timing. */
export async function buildCore() {
  const { build } = await import('esbuild');
  const outfile = resolve(OUT, 'core.mjs');
  await build({
    stdin: {
      contents: "export * from './src/core/index.ts'; export { parseHar } from './src/core/har/index.ts';",
      resolveDir: ROOT,
      loader: 'ts',
    },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
  return outfile;
}

export function exists(/** @type {string} */ p) {
  return existsSync(p);
}
