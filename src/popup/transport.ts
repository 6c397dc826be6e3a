/**
 * The popup's only browser access: one-shot requests to the background and the active tab.
 */
import { browser } from '../platform/browser.ts';
import type { Reply, Request, Result } from '../shared/messages.ts';

export interface PopupTransport {
  request<R extends Request>(req: R): Promise<Result<Reply<R>>>;
}

export function createPopupTransport(): PopupTransport {
  return {
    async request<R extends Request>(req: R): Promise<Result<Reply<R>>> {
      try {
        const reply = (await browser.runtime.sendMessage(req)) as Result<Reply<R>> | undefined;
        return reply ?? { ok: false, error: 'no reply from the background' };
      } catch (err) {
        return { ok: false, error: err instanceof Error ? err.message : String(err) };
      }
    },
  };
}

export async function activeTabId(): Promise<number | null> {
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab?.id ?? null;
}
