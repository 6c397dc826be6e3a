/**
 * What the panel needs from the outside world, as interfaces: the real implementations live in
 * transport.ts (browser) and engine.ts (the core engine); tests pass fakes (React DevTools'
 * "wall" pattern, model-codebases §2).
 */
import type { AnalyzedEntry, CorsAnnotation } from '../../core/annotation.ts';
import type { BrowserProfile, ObservedRequest } from '../../core/model.ts';
import type { PanelInbound, PanelOutbound, Reply, Request, Result } from '../../shared/messages.ts';

export interface PanelPort {
  send(msg: PanelOutbound): void;
  close(): void;
}

export interface PanelTransport {
  /** Opens the live port for one tab. `onDisconnect` fires when the background goes away. */
  connect(tabId: number, onMessage: (msg: PanelInbound) => void, onDisconnect: () => void): PanelPort;
  /** A one-shot request; never rejects (errors come back as `{ok:false}`). */
  request<R extends Request>(req: R): Promise<Result<Reply<R>>>;
}

/** The engine entry points the panel uses: HAR import and what-if re-judging. */
export interface PanelEngine {
  /** Throws an Error with a one-line message on a bad file. */
  parseHar(text: string): ObservedRequest[];
  analyze(requests: ObservedRequest[], browser: BrowserProfile): AnalyzedEntry[];
  /** Re-judges one exchange with the preflight linked to its request explicitly (what-if). */
  judge(request: ObservedRequest | null, preflight: ObservedRequest | null, browser: BrowserProfile): { request: CorsAnnotation | null; preflight: CorsAnnotation | null };
}
