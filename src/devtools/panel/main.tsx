/**
 * The panel shell: reads `?tabId=` / `?theme=`, falls back to the inspected tab and the DevTools
 * theme, wires the browser transport and the engine into the store, renders the app.
 */
import { render } from 'preact';
import { App } from './components/App.tsx';
import { createPanelStore } from './store.ts';
import { browserProfile, createPanelTransport, devtoolsTheme, inspectedTabId } from './transport.ts';
import { panelEngine } from './engine.ts';
import { parseParams } from './lib/query.ts';
import './panel.css';

const params = parseParams(location.search);
const theme = params.theme ?? devtoolsTheme() ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
document.documentElement.dataset.theme = theme;

const store = createPanelStore({ transport: createPanelTransport(), engine: panelEngine, browser: browserProfile() });
store.start(params.tabId ?? inspectedTabId());

const t0 = performance.now();
render(<App store={store} engine={panelEngine} theme={theme} />, document.getElementById('app')!);
// First-render timing, read by the screenshot/bench scripts (issue 5 asks for the figures).
(globalThis as { __corsLensFirstRenderMs?: number }).__corsLensFirstRenderMs = performance.now() - t0;
