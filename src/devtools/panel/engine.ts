/**
 * The real PanelEngine: the core HAR reader and the core analyzer, the same code the background
 * and the CLI run, so an imported file or a what-if edit is judged exactly like live traffic.
 */
import { analyzeCapture, judge } from '../../core/analyze.ts';
import { parseHar } from '../../core/har/read.ts';
import type { PanelEngine } from './types.ts';

export const panelEngine: PanelEngine = {
  parseHar: (text) => parseHar(text).requests,
  analyze: (requests, browser) => analyzeCapture(requests, { browser }),
  judge: (request, preflight, browser) => judge({ request, preflight }, { browser }),
};
