// Attribution variant `listeners` (bench/variants/plugin.mjs): a capture service that drops
// every event. What the worker still does per event is ours only up to the listener: the
// conversion of raw details in src/platform (webrequest.ts, intern.ts).
import type { RequestEvent } from '../../src/core/events.ts';
import type { EventContext } from '../../src/platform/webrequest.ts';
import type { ServiceOptions } from '../../src/background/service.ts';

export { SETTINGS_KEY, topFailures, yieldToEvents } from '../../src/background/service.ts';
export type { ServiceOptions } from '../../src/background/service.ts';

export class CaptureService {
  readonly ready: Promise<void> = Promise.resolve();
  diag: Record<string, number> = {};
  events = 0;
  constructor(_opts: ServiceOptions) {}
  onRequestEvent(_e: RequestEvent, _ctx?: EventContext): void {
    this.events++;
  }
  onTabRemoved(_tabId: number): void {}
  onConnect(_port: unknown): void {}
  onMessage(_message: unknown, _sender: unknown): undefined {
    return undefined;
  }
  inFlight(): [] {
    return [];
  }
  entries(_tabId: number): [] {
    return [];
  }
  counters(_tabId: number): Record<string, number> {
    return {};
  }
  tabIds(): number[] {
    return [];
  }
  async flush(): Promise<void> {}
  persistedBytes(): number {
    return 0;
  }
}
