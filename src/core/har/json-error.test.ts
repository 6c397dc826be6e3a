import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from './json-error.ts';

describe('findJsonSyntaxError', () => {
  const cases: [string, string, { line: number; column: number; truncated: boolean; problem: RegExp }][] = [
    ['bare word', 'hello', { line: 1, column: 1, truncated: false, problem: /unexpected character "h"/ }],
    ['unquoted key on line 3', '{\n "log": {\n  entries: []}}', { line: 3, column: 3, truncated: false, problem: /property name in double quotes/ }],
    ['double comma', '[1,,2]', { line: 1, column: 4, truncated: false, problem: /unexpected character ","/ }],
    ['missing comma', '{"a": "x" "b": 1}', { line: 1, column: 11, truncated: false, problem: /expected ',' or '}'/ }],
    ['trailing garbage', '{"a":1} x', { line: 1, column: 9, truncated: false, problem: /after the end of the JSON value/ }],
    ['bad escape', '["\\q"]', { line: 1, column: 3, truncated: false, problem: /bad escape "\\\\q"/ }],
    ['raw newline in a string', '["a\nb"]', { line: 1, column: 4, truncated: false, problem: /control character/ }],
    ['cut in an array', '{"log": {"entries": [', { line: 1, column: 22, truncated: true, problem: /end of input/ }],
    ['cut in a string', '{"a": "abc', { line: 1, column: 11, truncated: true, problem: /unterminated string/ }],
    ['cut in a literal', '[tru', { line: 1, column: 5, truncated: true, problem: /end of input/ }],
    ['cut after a colon', '{"a":\n', { line: 2, column: 1, truncated: true, problem: /end of input/ }],
    ['cut in a \\u escape', '["\\u00', { line: 1, column: 7, truncated: true, problem: /unterminated string/ }],
  ];
  it.each(cases)('%s', (_name, text, want) => {
    const got = findJsonSyntaxError(text);
    expect(got).not.toBeNull();
    expect(got).toMatchObject({ line: want.line, column: want.column, truncated: want.truncated });
    expect(got!.problem).toMatch(want.problem);
  });

  it('agrees with JSON.parse on what is valid (random JSON and random cuts of it)', () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(), (text, cut) => {
        const prefix = text.slice(0, cut % (text.length + 1));
        for (const t of [text, prefix]) {
          let valid = true;
          try {
            JSON.parse(t);
          } catch {
            valid = false;
          }
          const problem = findJsonSyntaxError(t);
          if (valid !== (problem === null)) return false;
          // A strict prefix of valid JSON can only be invalid by being cut off.
          if (problem && t === prefix && t.trim() !== '' && !problem.truncated && !/^-?\d/.test(text)) return false;
        }
        return true;
      }),
      { numRuns: 500 },
    );
  });
});
