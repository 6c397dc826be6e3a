/**
 * The `_cors` contract (DESIGN §3.3) as a checker: the property tests, the hardening tests and the
 * stress tests all hold annotations to it.
 */
import type { CorsAnnotation } from '../../../src/core/annotation.ts';
import { ALL_ERROR_CODES, ALL_FIREFOX_REASONS, ALL_WARNING_CODES } from '../../../src/core/codes.ts';

const ERRORS = new Set<string>(ALL_ERROR_CODES);
const REASONS = new Set<string>(ALL_FIREFOX_REASONS);
const WARNINGS = new Set<string>(ALL_WARNING_CODES);
const KINDS = new Set(['preflight', 'preflighted', 'simple', 'not-cors']);
const VERDICTS = new Set(['pass', 'fail', 'unknown', 'n/a']);

/** Contract violations of one annotation (empty = fine); a list, so a failure names every problem. */
export function contractProblems(c: CorsAnnotation): string[] {
  const p: string[] = [];
  if (!KINDS.has(c.kind)) p.push(`kind ${c.kind}`);
  if (!VERDICTS.has(c.verdict)) p.push(`verdict ${c.verdict}`);
  if (c.verdict === 'pass' && c.error !== null) p.push(`pass with error ${c.error}`);
  if (c.verdict === 'fail' && (typeof c.error !== 'string' || c.error === '')) p.push('fail without an error code');
  if (c.verdict !== 'fail' && c.firefoxReason !== null) p.push(`${c.verdict} with firefoxReason ${c.firefoxReason}`);
  if (c.error !== null && !ERRORS.has(c.error) && !/^[A-Z][A-Za-z]+$/.test(c.error)) p.push(`error ${c.error} is not PascalCase`);
  if (c.firefoxReason !== null && !REASONS.has(c.firefoxReason)) p.push(`firefoxReason ${c.firefoxReason}`);
  if ((c.kind === 'not-cors') !== (c.verdict === 'n/a')) p.push(`kind ${c.kind} with verdict ${c.verdict}`);
  for (const w of c.warnings) if (!WARNINGS.has(w.code)) p.push(`warning ${w.code}`);
  if (typeof c.message !== 'string' || c.message === '') p.push('no message');
  if (typeof c.fix !== 'string') p.push('fix is not a string');
  if (c.exposedHeaders !== null && c.exposedHeaders.some((h, i, a) => h !== h.toLowerCase() || (i > 0 && a[i - 1]! > h))) p.push('exposedHeaders not lower-case and sorted');
  return p;
}

