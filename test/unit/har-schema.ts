/**
 * HAR 1.2 validation for tests: the `har-schema` package's draft-06 schemas (one per HAR object)
 * compiled with ajv 8. Reusable: `validateHar(value)` → list of problems, empty when valid.
 *
 * ajv runs with `strict: false` because har-schema uses non-standard keywords (`min`,
 * `optional`) that strict mode rejects. `min` is har-schema's typo for `minimum`, so it checks
 * nothing; the HAR 1.2 rules it meant (timings send/wait/receive >= 0, `time` = sum of the
 * non -1 timings) are checked by hand below, together with the `date-time` format (ajv-formats
 * is not installed).
 */
import { createRequire } from 'node:module';
import Ajv from 'ajv';
import type { ErrorObject } from 'ajv';

const require = createRequire(import.meta.url);
const schemas = require('har-schema') as Record<string, { $id: string }>;
const draft06 = require('ajv/dist/refs/json-schema-draft-06.json') as object;

const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addMetaSchema(draft06);
// RFC 3339 date-time, which HAR 1.2 asks for (ISO 8601 with a time zone).
ajv.addFormat('date-time', (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(s) && !Number.isNaN(Date.parse(s)));
ajv.addFormat('ipv4', /^(\d{1,3}\.){3}\d{1,3}$/);
ajv.addFormat('ipv6', /^[0-9a-f:.]+$/i);
for (const schema of Object.values(schemas)) ajv.addSchema(schema);
const validateRoot = ajv.getSchema('har.json#')!;

function describe(e: ErrorObject): string {
  return `${e.instancePath || '/'} ${e.message ?? e.keyword}`;
}

interface Timings {
  send: number;
  wait: number;
  receive: number;
  [k: string]: unknown;
}

/** Problems of a HAR root object (`{log: …}`); an empty list means valid HAR 1.2. */
export function validateHar(har: unknown): string[] {
  const problems: string[] = [];
  if (!validateRoot(har)) problems.push(...(validateRoot.errors ?? []).map(describe));
  const entries = (har as { log?: { entries?: unknown } }).log?.entries;
  if (Array.isArray(entries)) {
    entries.forEach((raw, i) => {
      const e = raw as { time?: number; timings?: Timings };
      const t = e.timings;
      if (!t) return;
      for (const k of ['send', 'wait', 'receive'] as const) if (!(t[k] >= 0)) problems.push(`/log/entries/${i}/timings/${k} must be >= 0`);
      let sum = 0;
      for (const k of ['blocked', 'dns', 'connect', 'send', 'wait', 'receive'] as const) {
        const v = t[k];
        if (typeof v === 'number' && v !== -1) sum += v;
      }
      // `ssl` is included in `connect` (HAR 1.2 §timings), so it is not added again.
      if (typeof e.time === 'number' && Math.abs(e.time - sum) > 1e-6) problems.push(`/log/entries/${i}/time ${e.time} != sum of timings ${sum}`);
    });
  }
  return problems;
}
