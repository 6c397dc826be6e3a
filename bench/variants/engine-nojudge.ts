// Attribution variant `nojudge` (bench/variants/plugin.mjs): the live analyzer records and does
// not judge. Each request gets one fixed entry (frozen annotation parts are shared, as the
// engine's constant texts are), so the store, its counters, the persistence and the badge do
// the same bookkeeping as in release; only CorsAnalyzer's work is gone.
import type { AnalyzedEntry, CorsAnnotation } from '../../src/core/annotation.ts';
import { coreEngine as real, type Engine } from '../../src/background/engine.ts';

export type { Engine, ExportOptions } from '../../src/background/engine.ts';

const WARNINGS = Object.freeze([]) as unknown as CorsAnnotation['warnings'];
const TRIGGERS = Object.freeze([]) as unknown as CorsAnnotation['preflightTriggers'];
const OBSERVED = Object.freeze({ outcome: 'completed' }) as CorsAnnotation['observed'];

export const coreEngine: Engine = {
  ...real,
  analyzer: () => ({
    add: (req): AnalyzedEntry[] => [
      {
        request: req,
        cors: {
          id: req.id,
          kind: 'simple',
          verdict: 'pass',
          error: null,
          failedParameter: null,
          firefoxReason: null,
          message: '',
          fix: '',
          warnings: WARNINGS,
          pairedWith: null,
          preflightTriggers: TRIGGERS,
          preflightCache: null,
          credentials: 'unknown',
          credentialsInferred: false,
          exposedHeaders: null,
          origin: null,
          observed: OBSERVED,
        },
      },
    ],
  }),
};
