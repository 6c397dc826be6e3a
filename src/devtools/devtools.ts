/**
 * The devtools_page: runs once per DevTools window and only creates the "CORS" panel.
 * The panel path is relative to the extension root (browser-facts §A) and is listed as an
 * extra build input in vite.config.ts because CRXJS cannot see it.
 */
export const PANEL_TITLE = 'CORS';
export const PANEL_PATH = 'src/devtools/panel.html';

chrome.devtools.panels.create(PANEL_TITLE, 'icons/icon-32.png', PANEL_PATH);
