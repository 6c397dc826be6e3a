/**
 * Folds request lifecycle events (one requestId each, redirect hops kept as a chain) into
 * `ObservedRequest`s, and hands each one over when it reaches a terminal event.
 *
 * Event orders differ per browser (browser-facts §C, §E): Firefox may send a request's headers
 * before its preflight starts, Chromium fires the main request's onBeforeRequest before the
 * preflight's. The tracker is per requestId only, so neither order matters here; pairing is the
 * analyzer's job.
 */
import type { RequestEvent } from './events.ts';
import type { ObservedRequest, RequestHop } from './model.ts';

interface Pending {
  request: ObservedRequest;
  lastEventMs: number;
}

function statusTextOf(statusLine: string): string {
  // "HTTP/1.1 204 No Content" → "No Content"; a bare status line gives "".
  const m = /^\S+\s+\d{3}\s?(.*)$/.exec(statusLine);
  return m ? m[1]! : '';
}

function newHop(url: string, method: string, startedMs: number): RequestHop {
  return {
    url,
    method,
    requestHeaders: [],
    status: 0,
    statusText: '',
    responseHeaders: null,
    redirectURL: null,
    startedMs,
    endedMs: null,
  };
}

export class RequestTracker {
  private readonly pending = new Map<string, Pending>();

  /** Requests still waiting for a terminal event. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Applies one event. Returns the finished request on a terminal event (completed, error),
   * else null. Events for unknown ids (the worker restarted mid-request) start a new record
   * from what the event says, so nothing seen is dropped.
   */
  handle(e: RequestEvent): ObservedRequest | null {
    let p = this.pending.get(e.requestId);
    if (e.event === 'before-request') {
      if (p) {
        // A new onBeforeRequest for a known id follows a redirect: the hop was already opened
        // by the 'redirect' event; fill in what it did not know.
        const hop = p.request.hops[p.request.hops.length - 1]!;
        hop.url = e.url;
        hop.method = e.method;
        p.lastEventMs = e.timeStamp;
        return null;
      }
      this.pending.set(e.requestId, {
        request: {
          id: e.requestId,
          tabId: e.tabId,
          resourceType: e.resourceType,
          initiator: e.initiator,
          hops: [newHop(e.url, e.method, e.timeStamp)],
          outcome: { outcome: 'incomplete' },
        },
        lastEventMs: e.timeStamp,
      });
      return null;
    }
    if (!p) {
      p = {
        request: {
          id: e.requestId,
          tabId: null,
          resourceType: 'other',
          initiator: null,
          hops: [newHop(e.url, e.event === 'send-headers' ? e.method : 'GET', e.timeStamp)],
          outcome: { outcome: 'incomplete' },
        },
        lastEventMs: e.timeStamp,
      };
      this.pending.set(e.requestId, p);
    }
    const req = p.request;
    const hop = req.hops[req.hops.length - 1]!;
    p.lastEventMs = e.timeStamp;
    switch (e.event) {
      case 'send-headers':
        hop.method = e.method;
        hop.requestHeaders = e.requestHeaders;
        return null;
      case 'headers-received':
        hop.status = e.statusCode;
        hop.statusText = statusTextOf(e.statusLine);
        hop.responseHeaders = e.responseHeaders;
        return null;
      case 'redirect': {
        hop.status = e.statusCode;
        hop.statusText = statusTextOf(e.statusLine);
        hop.responseHeaders = e.responseHeaders;
        hop.redirectURL = e.redirectUrl;
        hop.endedMs = e.timeStamp;
        // Method after a redirect: 303 (and 301/302 for POST) switch to GET (Fetch §HTTP-redirect fetch step 12).
        const m = hop.method;
        const toGet = e.statusCode === 303 ? m !== 'HEAD' : (e.statusCode === 301 || e.statusCode === 302) && m === 'POST';
        req.hops.push(newHop(e.redirectUrl, toGet ? 'GET' : m, e.timeStamp));
        return null;
      }
      case 'completed':
        hop.status = e.statusCode;
        hop.statusText = statusTextOf(e.statusLine) || hop.statusText;
        if (e.responseHeaders.length > 0 || !hop.responseHeaders) hop.responseHeaders = e.responseHeaders;
        hop.endedMs = e.timeStamp;
        if (e.fromCache) req.fromCache = true;
        req.outcome = { outcome: 'completed' };
        this.pending.delete(e.requestId);
        return req;
      case 'error':
        hop.endedMs = e.timeStamp;
        req.outcome = { outcome: 'failed', error: e.error };
        this.pending.delete(e.requestId);
        return req;
    }
  }

  /** Everything still in flight, marked incomplete and released (e.g. before the worker dies). */
  drain(): ObservedRequest[] {
    const out = [...this.pending.values()].map((p) => p.request);
    this.pending.clear();
    return out;
  }

  /** The in-flight request with this id (live object: serialise it before keeping it). */
  get(requestId: string): ObservedRequest | undefined {
    return this.pending.get(requestId)?.request;
  }

  /** Snapshot of in-flight requests without releasing them. */
  inFlightRequests(): ObservedRequest[] {
    return [...this.pending.values()].map((p) => p.request);
  }
}
