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
 * `opts.variant` (capture attribution, bench/variants/plugin.mjs): module swaps given only to
 * this build, into bench/out/ext-variants/<flags>/<target>. `opts.root`: build another source
 * tree (an older commit, see buildCommit) into `opts.outDir`.
 * @param {'chrome'|'firefox'} target @param {boolean} [readable]
 * @param {{variant?: string[], root?: string, outDir?: string}} [opts]
 */
export async function buildExtension(target, readable = false, opts = {}) {
  const { build } = await import('vite');
  const root = opts.root ?? ROOT;
  const outDir =
    opts.outDir ??
    (opts.variant?.length ? resolve(OUT, 'ext-variants', opts.variant.join('+'), target) : resolve(OUT, readable ? 'ext-readable' : 'ext', target));
  const plugins = opts.variant?.length ? [(await import('../variants/plugin.mjs')).variantPlugin(opts.variant)] : [];
  const saved = { TARGET: process.env.TARGET, OUT: process.env.CORS_LENS_OUT_DIR, SINK: process.env.CORS_LENS_LOG_SINK };
  process.env.TARGET = target;
  process.env.CORS_LENS_OUT_DIR = outDir;
  process.env.CORS_LENS_LOG_SINK = ''; // a release build: no test log sink
  try {
    await build({ root, configFile: resolve(root, 'vite.config.ts'), logLevel: 'error', plugins, ...(readable ? { build: { minify: false } } : {}) });
  } finally {
    for (const [k, v] of [['TARGET', saved.TARGET], ['CORS_LENS_OUT_DIR', saved.OUT], ['CORS_LENS_LOG_SINK', saved.SINK]]) {
      if (v === undefined) delete process.env[/** @type {string} */ (k)];
      else process.env[/** @type {string} */ (k)] = v;
    }
  }
  return outDir;
}

/**
 * The release extension as of `commit` (e.g. the mainline before a change, to measure old and new
 * in one run): the commit's build inputs, extracted with `git archive` into
 * bench/out/src-<commit>/ (dependencies resolve from this checkout's node_modules, one level up
 * the tree), built into bench/out/ext-<commit>/<target>.
 * @param {string} commit @param {'chrome'|'firefox'} target
 */
export async function buildCommit(commit, target) {
  const { sha, src } = await extractCommit(commit);
  return { sha, dir: await buildExtension(target, false, { root: src, outDir: resolve(OUT, `ext-${sha}`, target) }) };
}

/**
 * The CLI as of `commit` (the engine benchmark's `--baseline`), extracted like `buildCommit`
 * and bundled as scripts/build-cli.mjs bundles this checkout's, into bench/out/cli-<commit>/.
 * @param {string} commit
 */
export async function buildCliCommit(commit) {
  const { sha, src } = await extractCommit(commit);
  return { sha, file: await buildCliBundle(resolve(OUT, `cli-${sha}`, 'cors-lens.mjs'), src) };
}

/** `git archive` of a commit's build inputs into bench/out/src-<sha>/ (fresh each time). @param {string} commit */
export async function extractCommit(commit) {
  const { execFileSync } = await import('node:child_process');
  const { mkdirSync, rmSync } = await import('node:fs');
  const sha = execFileSync('git', ['rev-parse', '--short', commit], { cwd: ROOT, encoding: 'utf8' }).trim();
  const src = resolve(OUT, `src-${sha}`);
  rmSync(src, { recursive: true, force: true });
  mkdirSync(src, { recursive: true });
  const tar = execFileSync('git', ['archive', '--format=tar', sha, 'src', 'public', 'assets', 'manifest.json', 'vite.config.ts', 'tsconfig.json', 'package.json'], { cwd: ROOT, maxBuffer: 256 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', src], { input: tar });
  return { sha, src };
}

/** Builds the CLI (as scripts/build.mjs does) into bench/out/cli/cors-lens.mjs. */
export async function buildCli() {
  return buildCliBundle(resolve(OUT, 'cli/cors-lens.mjs'));
}

/** The engine (src/core + src/core/har) as one ES module for in-process timing. */
export async function buildCore() {
  return bundleModule("export * from './src/core/index.ts'; export { parseHar } from './src/core/har/index.ts';", ROOT, resolve(OUT, 'core.mjs'));
}

/**
 * One Node ES module bundled from TypeScript `contents` whose imports resolve from `resolveDir`
 * (a checkout, or a commit extracted by `extractCommit`). @param {string} contents
 * @param {string} resolveDir @param {string} outfile @returns {Promise<string>} outfile
 */
export async function bundleModule(contents, resolveDir, outfile) {
  const { build } = await import('esbuild');
  await build({ stdin: { contents, resolveDir, loader: 'ts' }, outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' });
  return outfile;
}

export function exists(/** @type {string} */ p) {
  return existsSync(p);
}
