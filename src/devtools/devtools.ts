/**
 * The devtools_page: runs once per DevTools window and only creates the "CORS" panel.
 * The panel path is listed as an extra build input in vite.config.ts because CRXJS cannot see it.
 *
 * Both paths start with "/": Chromium resolves them against the extension root, Firefox against
 * the calling page (this one, under src/devtools/), so a bare 'src/devtools/panel.html' opened
 * src/devtools/src/devtools/panel.html in Firefox. A root-relative path means the same file in
 * both (w3c/webextensions#270; MDN devtools.panels.create).
 */
export const PANEL_TITLE = 'CORS';
export const PANEL_PATH = '/src/devtools/panel.html';
export const PANEL_ICON = '/icons/icon-32.png';

// `chrome.devtools` exists in both browsers' devtools pages (Firefox aliases `chrome` to its
// `browser` namespace there); the guard only keeps the page quiet if opened as a plain tab.
globalThis.chrome?.devtools?.panels?.create(PANEL_TITLE, PANEL_ICON, PANEL_PATH);
