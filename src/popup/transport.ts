/**
 * The popup's only browser access: one-shot requests to the background and the active tab.
 */
import { browser } from '../platform/browser.ts';
import { requestBackground } from '../platform/messaging.ts';
import type { Reply, Request, Result } from '../shared/messages.ts';

export interface PopupTransport {
  request<R extends Request>(req: R): Promise<Result<Reply<R>>>;
}

export function createPopupTransport(): PopupTransport {
  return { request: requestBackground };
}

export async function activeTabId(): Promise<number | null> {
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab?.id ?? null;
}
