/**
 * Minimal typed fakes of the extension APIs the background uses (storage.session / local,
 * runtime ports and messages, action badge, tabs), implementing src/platform/extension-api.ts,
 * plus builders for requests and lifecycle events and a small stand-in analyzer.
 */
import type { AnalyzedEntry, CorsAnnotation } from '../../../src/core/annotation.ts';
import type { RequestEvent } from '../../../src/core/events.ts';
import type { HeaderEntry, ObservedRequest } from '../../../src/core/model.ts';
import { headerGet } from '../../../src/core/model.ts';
import type { ExtensionApi, MessageHandler, PortLike, SenderLike, StorageAreaLike } from '../../../src/platform/extension-api.ts';
import type { Engine } from '../../../src/background/engine.ts';
import type { Analyzer } from '../../../src/background/store.ts';

export const EXT_ID = 'abcdefghijklmnopabcdefghijklmnop';
export const EXT_BASE = `chrome-extension://${EXT_ID}/`;
export const PANEL_SENDER: SenderLike = { id: EXT_ID, url: `${EXT_BASE}src/devtools/panel.html?tabId=7` };
export const POPUP_SENDER: SenderLike = { id: EXT_ID, url: `${EXT_BASE}src/popup/popup.html` };

/** storage area over a Map; values are cloned both ways like the real (serialising) one. */
export class FakeStorageArea implements StorageAreaLike {
  readonly data = new Map<string, unknown>();
  writes = 0;
  failNextSet: Error | null = null;
  /** Keys asked for by each `get` (null: everything). */
  readonly gets: (string[] | null)[] = [];
  /** `getKeys`, only when constructed `keyed` (Chromium >= 130, Firefox >= 143); absent otherwise. */
  readonly getKeys?: () => Promise<string[]>;

  constructor(keyed = false) {
    if (keyed) this.getKeys = async () => [...this.data.keys()];
  }

  async get(keys: string[] | null): Promise<Record<string, unknown>> {
    this.gets.push(keys);
    const out: Record<string, unknown> = {};
    for (const [k, v] of this.data) if (keys === null || keys.includes(k)) out[k] = structuredClone(v);
    return out;
  }
  async set(items: Record<string, unknown>): Promise<void> {
    if (this.failNextSet) {
      const e = this.failNextSet;
      this.failNextSet = null;
      throw e;
    }
    this.writes++;
    for (const [k, v] of Object.entries(items)) this.data.set(k, structuredClone(v));
  }
  async remove(keys: string[]): Promise<void> {
    for (const k of keys) this.data.delete(k);
  }
  /** Bytes as Chromium counts them for the quota: key plus JSON of the value. */
  bytes(): number {
    let n = 0;
    for (const [k, v] of this.data) n += k.length + JSON.stringify(v).length;
    return n;
  }
}

/**
 * A view of a shared area that a worker stop cuts off: after `stop()` every call of this worker
 * hangs and writes nothing, as the calls of a stopped worker never complete.
 */
export class StoppableArea implements StorageAreaLike {
  private stopped = false;
  readonly getKeys?: () => Promise<string[]>;

  constructor(private readonly inner: FakeStorageArea) {
    const keys = inner.getKeys;
    if (keys) this.getKeys = () => this.gate(() => keys());
  }

  stop(): void {
    this.stopped = true;
  }

  private gate<T>(f: () => Promise<T>): Promise<T> {
    return this.stopped ? new Promise<T>(() => undefined) : f();
  }

  get(keys: string[] | null): Promise<Record<string, unknown>> {
    return this.gate(() => this.inner.get(keys));
  }
  set(items: Record<string, unknown>): Promise<void> {
    return this.gate(() => this.inner.set(items));
  }
  remove(keys: string[]): Promise<void> {
    return this.gate(() => this.inner.remove(keys));
  }
}

/**
 * A storage area whose `set` takes effect when it is called (the browser has the call) but is
 * answered only when the test says so (`answerNext`): a write on its way to the browser and back.
 * `remove` is answered at once. Every call is logged in order, with what the area held after it.
 */
export class SlowArea implements StorageAreaLike {
  readonly inner = new FakeStorageArea();
  readonly log: { op: 'set' | 'remove'; keys: string[]; after: Map<string, unknown> }[] = [];
  private readonly unanswered: (() => void)[] = [];

  get(keys: string[] | null): Promise<Record<string, unknown>> {
    return this.inner.get(keys);
  }
  set(items: Record<string, unknown>): Promise<void> {
    void this.inner.set(items);
    this.log.push({ op: 'set', keys: Object.keys(items), after: new Map(this.inner.data) });
    return new Promise((resolve) => this.unanswered.push(resolve));
  }
  async remove(keys: string[]): Promise<void> {
    await this.inner.remove(keys);
    this.log.push({ op: 'remove', keys, after: new Map(this.inner.data) });
  }
  /** `set`s not answered yet. */
  get waiting(): number {
    return this.unanswered.length;
  }
  /** Answers the oldest unanswered `set`, then lets what its answer starts run. */
  async answerNext(): Promise<void> {
    this.unanswered.shift()?.();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  }
  /** The `set` calls, by the keys they carried (the version key `v` left out). */
  sets(): string[][] {
    return this.log.filter((l) => l.op === 'set').map((l) => l.keys.filter((k) => k !== 'v'));
  }
}

type Listener<A extends unknown[]> = (...args: A) => void;
class FakeEvent<A extends unknown[]> {
  readonly listeners: Listener<A>[] = [];
  addListener(cb: Listener<A>): void {
    this.listeners.push(cb);
  }
  fire(...args: A): void {
    for (const l of this.listeners) l(...args);
  }
}

/** One end of a port as the background sees it; `sent` records what the background posted. */
export class FakePort implements PortLike {
  readonly sent: unknown[] = [];
  readonly onMessage = new FakeEvent<[unknown]>();
  readonly onDisconnect = new FakeEvent<[]>();
  disconnected = false;
  constructor(
    readonly name: string,
    readonly sender: SenderLike | undefined = PANEL_SENDER,
  ) {}
  postMessage(message: unknown): void {
    if (this.disconnected) throw new Error('Attempting to use a disconnected port object');
    // Ports serialise: a page never shares objects with the background.
    this.sent.push(structuredClone(message));
  }
  disconnect(): void {
    this.disconnected = true;
  }
  /** The page closes its end. */
  close(): void {
    this.disconnected = true;
    this.onDisconnect.fire();
  }
  /** The page sends a message. */
  send(msg: unknown): void {
    this.onMessage.fire(msg);
  }
}

export class FakeApi<S extends StorageAreaLike = FakeStorageArea> implements ExtensionApi {
  readonly runtimeId = EXT_ID;
  readonly extensionBaseUrl = EXT_BASE;
  readonly version = '0.1.0-test';
  readonly badges = new Map<number, { text: string; color: string }>();
  readonly tabUrls = new Map<number, string>();
  readonly tabRemoved = new FakeEvent<[number]>();
  readonly connect = new FakeEvent<[PortLike]>();
  messageHandler: MessageHandler | null = null;

  constructor(
    readonly session: S = new FakeStorageArea() as StorageAreaLike as S,
    readonly local: FakeStorageArea = new FakeStorageArea(),
  ) {}

  async setBadge(tabId: number, text: string, color: string): Promise<void> {
    this.badges.set(tabId, { text, color });
  }
  async tabUrl(tabId: number): Promise<string | null> {
    return this.tabUrls.get(tabId) ?? null;
  }
  onTabRemoved(cb: (tabId: number) => void): void {
    this.tabRemoved.addListener(cb);
  }
  onConnect(cb: (port: PortLike) => void): void {
    this.connect.addListener(cb);
  }
  onMessage(cb: MessageHandler): void {
    this.messageHandler = cb;
  }
}

// ---------------------------------------------------------------------------------------------
// Requests and events

export const PAGE = 'http://127.0.0.1:18101';
export const API = 'http://127.0.0.1:18102';

export interface ReqSpec {
  id: string;
  tabId?: number | null;
  method?: string;
  url?: string;
  status?: number;
  requestHeaders?: HeaderEntry[];
  responseHeaders?: HeaderEntry[] | null;
  startedMs?: number;
  outcome?: ObservedRequest['outcome'];
  resourceType?: string;
}

export function req(s: ReqSpec): ObservedRequest {
  const started = s.startedMs ?? 1000;
  return {
    id: s.id,
    tabId: s.tabId === undefined ? 1 : s.tabId,
    resourceType: s.resourceType ?? 'xmlhttprequest',
    initiator: PAGE,
    hops: [
      {
        url: s.url ?? `${API}/r/${s.id}`,
        method: s.method ?? 'GET',
        requestHeaders: s.requestHeaders ?? [{ name: 'Origin', value: PAGE }],
        status: s.status ?? 200,
        statusText: '',
        responseHeaders: s.responseHeaders === undefined ? [{ name: 'Access-Control-Allow-Origin', value: PAGE }] : s.responseHeaders,
        redirectURL: null,
        startedMs: started,
        endedMs: started + 5,
      },
    ],
    outcome: s.outcome ?? { outcome: 'completed' },
  };
}

/** The lifecycle events of one simple request, Chromium order (browser-facts §C case 1). */
export function eventsFor(r: ObservedRequest): RequestEvent[] {
  const hop = r.hops[0]!;
  const base = { requestId: r.id, url: hop.url };
  const out: RequestEvent[] = [
    { ...base, event: 'before-request', method: hop.method, tabId: r.tabId, resourceType: r.resourceType, initiator: r.initiator, timeStamp: hop.startedMs },
    { ...base, event: 'send-headers', method: hop.method, requestHeaders: hop.requestHeaders, timeStamp: hop.startedMs + 1 },
  ];
  if (hop.responseHeaders) {
    out.push({ ...base, event: 'headers-received', statusCode: hop.status, statusLine: `HTTP/1.1 ${hop.status} OK`, responseHeaders: hop.responseHeaders, timeStamp: hop.startedMs + 2 });
  }
  if (r.outcome.outcome === 'failed') out.push({ ...base, event: 'error', error: r.outcome.error, timeStamp: hop.startedMs + 3 });
  else out.push({ ...base, event: 'completed', statusCode: hop.status, statusLine: `HTTP/1.1 ${hop.status} OK`, responseHeaders: hop.responseHeaders ?? [], fromCache: false, timeStamp: hop.startedMs + 3 });
  return out;
}

// ---------------------------------------------------------------------------------------------
// A stand-in analyzer: enough behaviour to exercise the store (new vs re-judged entries).

function annotation(id: string, over: Partial<CorsAnnotation>): CorsAnnotation {
  return {
    id,
    kind: 'simple',
    verdict: 'pass',
    error: null,
    failedParameter: null,
    firefoxReason: null,
    message: 'ok',
    fix: '',
    warnings: [],
    pairedWith: null,
    preflightTriggers: [],
    preflightCache: null,
    credentials: 'unknown',
    credentialsInferred: false,
    exposedHeaders: null,
    origin: PAGE,
    observed: { outcome: 'completed' },
    ...over,
  };
}

/**
 * Kind: OPTIONS with Access-Control-Request-Method → preflight; no Origin header → not-cors;
 * else simple. Verdict: fail when the response lacks Access-Control-Allow-Origin. A request
 * with the same URL as an earlier unpaired preflight pairs with it and re-judges the preflight
 * (so `add` returns two entries, like the engine does when pairing late).
 */
export class StubAnalyzer implements Analyzer {
  readonly all: AnalyzedEntry[] = [];
  private readonly openPreflights = new Map<string, AnalyzedEntry>();
  add(r: ObservedRequest): AnalyzedEntry[] {
    const hop = r.hops[r.hops.length - 1]!;
    const first = r.hops[0]!;
    const isPreflight = first.method === 'OPTIONS' && headerGet(first.requestHeaders, 'access-control-request-method') !== null;
    const hasOrigin = headerGet(first.requestHeaders, 'origin') !== null;
    const acao = headerGet(hop.responseHeaders, 'access-control-allow-origin');
    const observed = r.outcome.outcome === 'failed' ? { outcome: 'failed' as const, error: r.outcome.error } : { outcome: r.outcome.outcome };
    const kind = isPreflight ? 'preflight' : hasOrigin ? 'simple' : 'not-cors';
    const verdict = kind === 'not-cors' ? 'n/a' : acao ? 'pass' : 'fail';
    const entry: AnalyzedEntry = {
      request: r,
      cors: annotation(r.id, { kind, verdict, error: verdict === 'fail' ? 'MissingAllowOriginHeader' : null, message: verdict === 'fail' ? 'blocked' : 'ok', observed }),
    };
    this.all.push(entry);
    const out = [entry];
    if (isPreflight) this.openPreflights.set(first.url, entry);
    else {
      const pf = this.openPreflights.get(first.url);
      if (pf) {
        this.openPreflights.delete(first.url);
        const rejudged: AnalyzedEntry = { request: pf.request, cors: { ...pf.cors, pairedWith: r.id } };
        entry.cors = { ...entry.cors, kind: 'preflighted', pairedWith: pf.cors.id };
        out.push(rejudged);
      }
    }
    return out;
  }
}

/** Engine over the stub analyzer; the HAR is a JSON list that shows redaction choices. */
export const stubEngine: Engine = {
  analyzer: () => new StubAnalyzer(),
  exportHar: (entries, opts) =>
    JSON.stringify({
      includeSecrets: opts.includeSecrets,
      creator: opts.creator,
      ids: entries.map((e) => e.cors.id),
    }),
  exportFilename: (page, date) => `cors-lens-${page.replace(/^\w+:\/\//, '').replace(/[^A-Za-z0-9.-]+/g, '_')}-${date.toISOString()}.har`,
};
