/**
 * Requests whose request side was never observed.
 *
 * After a wake, the tracker opens a record from whatever event of a request arrives first
 * (core/tracker.ts). When that is `headers-received`, `redirect`, `completed` or `error` (the
 * request's `before-request` / `send-headers` reached a worker that was stopped before it
 * persisted them, or never reached any: docs/hardening.md bug 1), the record has no request
 * headers and a guessed method (`GET`). The engine judges what it is given: no `Origin` on a GET
 * reads as a no-cors or same-origin request, so such a record came out `n/a` ("not a CORS
 * request") even when it was a cross-origin fetch that passed or failed — a confident verdict
 * the evidence does not support. The background marks these records and reports them `unknown`,
 * saying why, instead. The mark is a property of the request so it survives persistence (chunks,
 * `f:` and `i:` keys are the request's JSON) and every re-judgement after a wake.
 */
import type { AnalyzedEntry, CorsAnnotation } from '../core/annotation.ts';
import type { ObservedRequest } from '../core/model.ts';

interface MarkedRequest extends ObservedRequest {
  /** Set by the background only: the record was opened from a later event. */
  requestUnseen?: true;
}

export function markRequestUnseen(req: ObservedRequest): void {
  (req as MarkedRequest).requestUnseen = true;
}

export function isRequestUnseen(req: ObservedRequest): boolean {
  return (req as MarkedRequest).requestUnseen === true;
}

/** The entry's judgement, made honest when its request side was not observed. */
export function honestEntry(e: AnalyzedEntry): AnalyzedEntry {
  if (!isRequestUnseen(e.request) || e.cors.verdict === 'unknown') return e;
  const hop = e.request.hops[0]!;
  const cors: CorsAnnotation = {
    ...e.cors,
    verdict: 'unknown',
    error: null,
    failedParameter: null,
    firefoxReason: null,
    message:
      `The request side of ${hop.url} was not observed: CORS Lens's background was restarted by the browser ` +
      'while this request was in flight, so its method, request headers and Origin were not seen. ' +
      'Whether it was a CORS request, and whether it passed, cannot be told from the response alone.',
    fix: 'Reload the page to capture the request again from its start.',
    warnings: [],
    credentials: 'unknown',
    credentialsInferred: false,
  };
  return { ...e, cors };
}
