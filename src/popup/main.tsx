import { render } from 'preact';
import { Popup } from './Popup.tsx';
import { activeTabId, createPopupTransport } from './transport.ts';
import { downloadText } from './download.ts';
import './popup.css';

// Navigation start → this module running: the cost of loading the page and its bundle.
performance.mark?.('cors-lens:popup-script');

/** `?tabId=N` selects the tab (DESIGN §3.4); otherwise the active tab. */
function queryTabId(): number | null {
  const raw = new URLSearchParams(location.search).get('tabId');
  return raw !== null && /^\d+$/.test(raw) ? Number(raw) : null;
}
const theme = new URLSearchParams(location.search).get('theme');
if (theme === 'dark' || theme === 'light') document.documentElement.dataset.theme = theme;

void (async () => {
  const tabId = queryTabId() ?? (await activeTabId().catch(() => null));
  render(<Popup transport={createPopupTransport()} tabId={tabId} download={downloadText} />, document.getElementById('app')!);
})();
