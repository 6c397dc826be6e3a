import type { CorsVerdict } from '../../../core/annotation.ts';
import { VERDICT_LABEL } from '../lib/format.ts';

export function VerdictBadge({ verdict }: { verdict: CorsVerdict }) {
  return <span class={`badge badge-${verdict === 'n/a' ? 'na' : verdict}`}>{VERDICT_LABEL[verdict]}</span>;
}
