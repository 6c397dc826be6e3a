/**
 * One-shot requests from an extension page to the background, shared by the panel and the popup.
 * Errors come back as data (src/shared/messages.ts `Result`): a missing reply or a dead worker is
 * an `{ok:false}` the page can show, never a rejected promise.
 */
import type { Reply, Request, Result } from '../shared/messages.ts';
import { browser } from './browser.ts';

export async function requestBackground<R extends Request>(req: R): Promise<Result<Reply<R>>> {
  try {
    const reply = (await browser.runtime.sendMessage(req)) as Result<Reply<R>> | undefined;
    return reply ?? { ok: false, error: 'no reply from the background' };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}
