/** The page's query parameters (DESIGN §3.4): `?tabId=N` and the `?theme=dark|light` override. */
export interface PageParams {
  tabId: number | null;
  theme: 'light' | 'dark' | null;
}

export function parseParams(search: string): PageParams {
  const q = new URLSearchParams(search);
  const raw = q.get('tabId');
  const n = raw !== null && /^\d+$/.test(raw) ? Number(raw) : NaN;
  const theme = q.get('theme');
  return { tabId: Number.isSafeInteger(n) ? n : null, theme: theme === 'dark' || theme === 'light' ? theme : null };
}

/** DevTools' theme name → the panel theme (Chromium: 'default' | 'dark'; Firefox: 'light' | 'dark' | 'firebug'). */
export function themeFromName(name: string | undefined): 'light' | 'dark' | null {
  if (name === 'dark') return 'dark';
  if (name === 'default' || name === 'light' || name === 'firebug') return 'light';
  return null;
}
