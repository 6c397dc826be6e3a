/**
 * Browser-neutral request lifecycle events. `src/platform` converts each browser's raw
 * webRequest details into these (one function per browser); nothing past that boundary reads
 * raw details. The tracker folds them into `ObservedRequest`s.
 */
import type { HeaderEntry } from './model.ts';

interface EventBase {
  requestId: string;
  /** Epoch milliseconds (Chromium gives a float, Firefox an integer). */
  timeStamp: number;
  url: string;
}

export type RequestEvent =
  | (EventBase & {
      event: 'before-request';
      method: string;
      tabId: number | null;
      resourceType: string;
      /** Serialized origin of the requesting context, when the browser says. */
      initiator: string | null;
    })
  | (EventBase & { event: 'send-headers'; method: string; requestHeaders: HeaderEntry[] })
  | (EventBase & {
      event: 'headers-received';
      statusCode: number;
      statusLine: string;
      responseHeaders: HeaderEntry[];
    })
  | (EventBase & {
      event: 'redirect';
      statusCode: number;
      statusLine: string;
      responseHeaders: HeaderEntry[];
      redirectUrl: string;
    })
  | (EventBase & {
      event: 'completed';
      statusCode: number;
      statusLine: string;
      responseHeaders: HeaderEntry[];
      fromCache: boolean;
    })
  | (EventBase & { event: 'error'; error: string });

export type RequestEventName = RequestEvent['event'];
