/**
 * Attribution builds for the capture benchmark (`npm run bench -- --only capture --attribution`):
 * the release extension with one part of the worker's per-request work cut out, so one run can
 * measure what each part costs against the floor. Done by swapping modules at build time (a
 * vite plugin given only to the bench's own builds into bench/out), never by a switch in src/:
 * the release build (`npm run build`, vite.config.ts) does not know these variants exist.
 *
 *   nopersist   storage.session of the background is an in-memory no-op: no `set`/`remove`
 *               reaches the browser. Our own serialisation (JSON.stringify in persist.ts) still
 *               runs, so lens − nopersist = the native `set` calls and the browser's handling
 *               of them (IPC, the browser process's session storage).
 *   smallvalues every `set` and `remove` reaches the browser as in release (same calls, same
 *               keys) but each value is a 2-character string: lens − smallvalues = the cost of
 *               the bytes we write, smallvalues − nopersist = the cost of the calls.
 *   nojudge     the engine's live analyzer returns a fixed, unjudged entry per request: no
 *               CorsAnalyzer work; the store, the persistence and the badge run as in release.
 *   listeners   the capture service is a stub that drops every event: what is left is our six
 *               listeners and the conversion of raw details (src/platform/webrequest.ts).
 *
 * Flags combine (`nojudge+nopersist` = record in memory only).
 */
import { resolve } from 'node:path';
import { ROOT } from '../lib/build.mjs';

const HERE = resolve(ROOT, 'bench/variants');
/** @type {Record<string, {target: string, stub: string}>} */
const SWAPS = {
  nopersist: { target: resolve(ROOT, 'src/platform/extension-api.ts'), stub: resolve(HERE, 'extension-api-nopersist.ts') },
  smallvalues: { target: resolve(ROOT, 'src/platform/extension-api.ts'), stub: resolve(HERE, 'extension-api-smallvalues.ts') },
  nojudge: { target: resolve(ROOT, 'src/background/engine.ts'), stub: resolve(HERE, 'engine-nojudge.ts') },
  listeners: { target: resolve(ROOT, 'src/background/service.ts'), stub: resolve(HERE, 'service-listeners.ts') },
};
export const ATTRIBUTION_FLAGS = Object.keys(SWAPS);

/** @param {string[]} flags @returns {import('vite').Plugin} */
export function variantPlugin(flags) {
  for (const f of flags) if (!SWAPS[f]) throw new Error(`unknown capture variant flag ${f} (one of ${ATTRIBUTION_FLAGS.join(', ')})`);
  const swaps = flags.map((f) => /** @type {{target: string, stub: string}} */ (SWAPS[f]));
  return {
    name: 'cors-lens-bench-variant',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (!importer || swaps.every((s) => !source.endsWith(s.target.split('/').pop() ?? ''))) return null;
      const r = await this.resolve(source, importer, { ...options, skipSelf: true });
      if (!r) return null;
      for (const s of swaps) {
        // The stub imports the real module itself: leave that import alone.
        if (r.id === s.target && importer !== s.stub) return s.stub;
      }
      return null;
    },
  };
}
