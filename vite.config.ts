/**
 * One source tree, two extensions. `TARGET=chrome|firefox` picks the browser; the Chrome build
 * keeps `manifest.json` as written (MV3 service worker), the Firefox build swaps the worker for
 * `background.scripts` (Firefox MV3 runs an event page) and adds the gecko id. See
 * ../shared/reference/browser-facts.md §A.
 *
 * `CORS_LENS_LOG_SINK=http://127.0.0.1:PORT/...` makes a *test* build: the background then also
 * reports what it saw to that loopback collector, because Firefox automation cannot reach the
 * background page (browser-facts §E). Release builds (`npm run build`) never set it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';
import { crx, type ManifestV3Export } from '@crxjs/vite-plugin';

const target = process.env.TARGET === 'firefox' ? 'firefox' : 'chrome';
const logSink = process.env.CORS_LENS_LOG_SINK ?? '';
const outDir = process.env.CORS_LENS_OUT_DIR ?? `dist/${target}`;

/** The Firefox add-on id; also pinned in tests that install the add-on. */
export const GECKO_ID = 'cors-lens@cors-lens.dev';
/** Firefox 140 ESR: the first ESR that knows `data_collection_permissions` (and has MV3 storage.session). */
const GECKO_MIN_VERSION = '140.0';

function manifestFor(browser: 'chrome' | 'firefox'): ManifestV3Export {
  const base = JSON.parse(readFileSync(resolve(import.meta.dirname, 'manifest.json'), 'utf8'));
  if (browser === 'chrome') return base;
  const { service_worker: script, type } = base.background;
  return {
    ...base,
    background: { scripts: [script], type },
    browser_specific_settings: {
      gecko: {
        id: GECKO_ID,
        strict_min_version: GECKO_MIN_VERSION,
        // CORS Lens collects and transmits nothing (Firefox's built-in data consent, required for new add-ons).
        data_collection_permissions: { required: ['none'] },
      },
      // data_collection_permissions arrived in Firefox for Android 142.
      gecko_android: { strict_min_version: '142.0' },
    },
  };
}

export default defineConfig({
  plugins: [preact(), crx({ manifest: manifestFor(target), browser: target })],
  define: {
    __CORS_LENS_LOG_SINK__: JSON.stringify(logSink),
    __CORS_LENS_TARGET__: JSON.stringify(target),
  },
  build: {
    outDir,
    emptyOutDir: true,
    // Keep bundles readable for store review; sizes are tracked by `npm run bench`.
    minify: true,
    sourcemap: false,
    rolldownOptions: {
      // The panel page is only named in chrome.devtools.panels.create(), so CRXJS cannot
      // discover it from the manifest (browser-facts §A).
      input: { panel: resolve(import.meta.dirname, 'src/devtools/panel.html') },
    },
  },
});
