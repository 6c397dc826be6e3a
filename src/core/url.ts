/**
 * WHATWG URL parsing for the engine. `URL` exists in every runtime the engine runs in (Node,
 * extension service worker, extension pages), but src/core compiles without DOM or Node types
 * (DESIGN §1), so it is reached through `globalThis` with the few members the engine uses.
 * The WHATWG parser is what browsers use, so origins come out exactly as a browser serializes
 * them (lower-case host, default port elided, IDNA) — https://url.spec.whatwg.org/#concept-url-parser.
 */
export interface ParsedUrl {
  readonly href: string;
  readonly protocol: string;
  readonly username: string;
  readonly password: string;
  readonly host: string;
  readonly hostname: string;
  readonly port: string;
  readonly origin: string;
}

type UrlCtor = new (input: string, base?: string) => ParsedUrl;
const URLImpl = (globalThis as unknown as { URL: UrlCtor }).URL;

/** Parses `input` (relative to `base` when given); null when it is not a valid URL. */
export function parseUrl(input: string, base?: string): ParsedUrl | null {
  try {
    return base === undefined ? new URLImpl(input) : new URLImpl(input, base);
  } catch {
    return null;
  }
}
