// Types of test/playground/server.mjs for TypeScript importers (tests, harness, demo).
// Keep in step with the JSDoc typedefs in server.mjs.

export type TargetName = 'page' | 'api' | 'apiLocalhost' | 'third';
export type HeaderPair = [string, string];

export interface RedirectSpec {
  target: TargetName;
  /** Last path segment under /s/<id>/<runId>/ (default `hop2`). */
  path?: string;
  status?: number;
  /** `user:pass` written into the Location URL. */
  userinfo?: string;
}

export interface Answer {
  status: number;
  /** Ordered, duplicates allowed; `{origin}`, `{pageOrigin}`, `{pagePort}`, `{apiPort}` substituted at serve time. */
  headers: HeaderPair[];
  body?: string;
  redirectTo?: RedirectSpec;
  /** Destroy the socket instead of answering (the browser sees a network error). */
  closeConnection?: boolean;
}

export interface ScenarioRequest {
  target: TargetName;
  method: string;
  headers: Record<string, string> | HeaderPair[];
  credentials: 'omit' | 'same-origin' | 'include';
  body?: string;
  contentType?: string;
  mode?: 'cors' | 'no-cors' | 'same-origin';
  redirect?: 'follow' | 'manual' | 'error';
  repeat?: number;
  delayBetweenMs?: number;
  via?: 'fetch' | 'xhr';
  /** Run inside a sandboxed iframe (opaque origin → `Origin: null`). */
  sandboxed?: boolean;
  /** XHR only: register an upload progress listener. */
  uploadListener?: boolean;
  /** Visit the target's /set-cookie first (default: credentials !== 'omit'). */
  setCookie?: boolean;
}

export interface Scenario {
  id: string;
  title: string;
  group: string;
  request: ScenarioRequest;
  preflight: Answer;
  response: Answer;
  /** Answers at the redirect target (`/s/<id>/<runId>/hop2`). */
  hop2: { preflight: Answer; response: Answer };
  notes?: string;
  /** The page fails for a reason that is not a CORS check (dropped connection, redirect mode "error"). */
  nonCorsFailure?: boolean;
}

export interface LoggedRequest {
  /** The listener's origin, e.g. `http://127.0.0.1:18412`. */
  origin: string;
  /** Exactly as received (a lower-case `patch` stays lower-case). */
  method: string;
  /** Path + query. */
  url: string;
  /** Raw order, duplicates kept. */
  headers: HeaderPair[];
  /** Epoch ms. */
  time: number;
  scenario: string | null;
  runId: string | null;
  /** What the server answered: the header lines it wrote itself (Node adds Date/Connection/framing after them). */
  response: { status: number; headers: HeaderPair[]; closed: boolean } | null;
}

export interface PlaygroundOrigins {
  page: string;
  api: string;
  apiLocalhost: string;
  third: string;
  warm: string;
}

export interface Playground {
  pageOrigin: string;
  origins: PlaygroundOrigins;
  ports: { page: number; api: number; third: number; warm: number };
  scenarios: Scenario[];
  log: LoggedRequest[];
  clearLog(): void;
  close(): Promise<void>;
}

export declare const DEFAULT_PORTS: { page: number; api: number; third: number; warm: number };

export declare function startPlayground(opts?: {
  ports?: Partial<typeof DEFAULT_PORTS>;
  quiet?: boolean;
  scenariosFile?: string;
}): Promise<Playground>;

export declare function loadScenarios(file?: string): Scenario[];

/** What `window.corsLensPlayground.run(id, runId?)` resolves to on the playground page. */
export interface PlaygroundAttempt {
  /** The script got a response (CORS let it through), whatever the HTTP status. */
  ok: boolean;
  status: number;
  error?: string;
  /** Lower-case, sorted names the script can read. */
  readableHeaders?: string[];
  body?: string;
  /** fetch only: Response.type (`cors`, `basic`, `opaqueredirect`, …). */
  type?: string;
}
export interface PlaygroundRunResult extends PlaygroundAttempt {
  /** One per request when the scenario repeats; `ok` is true only if every attempt was. */
  attempts: PlaygroundAttempt[];
}
