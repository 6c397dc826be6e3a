/** HAR in and out (issue 3 item 4): one import for the extension, the CLI and the tests. */
export { HarError, parseHar, parseIsoMs, type HarReadResult } from './read.ts';
export {
  exportFilename,
  isoTime,
  stringifyHar,
  toAnnotatedHar,
  type AnnotatedHar,
  type AnnotatedHarEntry,
  type AnnotatedHarLog,
  type HarRedirectHop,
  type ToHarOptions,
} from './write.ts';
export { REDACTED, isSecretHeader, redactHeaders } from './redact.ts';
