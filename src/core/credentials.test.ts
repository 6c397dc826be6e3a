import { describe, expect, it } from 'vitest';
import { credentialsOf } from './credentials.ts';
import { B, request } from './testing.ts';

describe('credentials mode: known, inferred, or unknown', () => {
  it.each<[string, Parameters<typeof request>[0], { mode: string; inferred: boolean }]>([
    ['known from the source', { url: `${B}/x`, credentials: 'include' }, { mode: 'include', inferred: false }],
    ['known omit stays omit even with a cookie', { url: `${B}/x`, credentials: 'omit', headers: { Cookie: 'a=b' } }, { mode: 'omit', inferred: false }],
    ['a Cookie on a cross-origin request ⇒ include (inferred)', { url: `${B}/x`, headers: { Cookie: 'a=b' } }, { mode: 'include', inferred: true }],
    ['Authorization is not evidence (the network stack adds it for HTTP auth)', { url: `${B}/x`, headers: { Authorization: 'Basic eA==' } }, { mode: 'unknown', inferred: false }],
    ['nothing seen ⇒ unknown', { url: `${B}/x` }, { mode: 'unknown', inferred: false }],
  ])('%s', (_n, spec, expected) => expect(credentialsOf(request(spec))).toEqual(expected));
});
