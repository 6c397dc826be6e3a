/**
 * The slice of src/core the background uses, behind one interface so the capture service can
 * be driven by the real engine (`coreEngine`) or, in a test, by a stand-in.
 */
import type { AnalyzedEntry } from '../core/annotation.ts';
import type { BrowserProfile } from '../core/model.ts';
import { CorsAnalyzer } from '../core/analyze.ts';
import { exportFilename, stringifyHar, toAnnotatedHar } from '../core/har/write.ts';
import { BoundedAnalyzer } from './bounded-analyzer.ts';
import type { Analyzer } from './store.ts';

export interface ExportOptions {
  includeSecrets: boolean;
  creator: { name: string; version: string };
}

export interface Engine {
  /** A fresh live analyzer judging with this browser's rules. */
  analyzer(profile: BrowserProfile): Analyzer;
  /** The annotated HAR text (DESIGN §3.3) of these entries. */
  exportHar(entries: readonly AnalyzedEntry[], opts: ExportOptions): string;
  /** Download name carrying the page's host and a timestamp. */
  exportFilename(pageUrlOrHost: string, date: Date): string;
}

/** The real engine: CorsAnalyzer behind the bounds of bounded-analyzer.ts, and the HAR writer. */
export const coreEngine: Engine = {
  analyzer: (profile) => new BoundedAnalyzer(() => new CorsAnalyzer({ browser: profile })),
  exportHar: (entries, opts) => stringifyHar(toAnnotatedHar(entries, opts)),
  exportFilename,
};
