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
