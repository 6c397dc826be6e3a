/**
 * Where and why a text is not JSON. `JSON.parse` errors in V8 do not always carry a position
 * ("Unexpected token 'h', \"hello…\" is not valid JSON") and may quote a slice of the input,
 * which is useless for a 200 MB HAR. This scanner runs only after `JSON.parse` has failed and
 * finds the first offending character (RFC 8259 grammar), iteratively so deep nesting cannot
 * overflow the stack.
 */

export interface JsonSyntaxProblem {
  /** Index of the offending character; equal to the text length when the text ends too early. */
  pos: number;
  problem: string;
  /** True when the text is a valid prefix of JSON that was cut off. */
  truncated: boolean;
  line: number;
  column: number;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const PARTIAL_NUMBER = /-?\d*(?:\.\d*)?(?:[eE][+-]?\d*)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;

function show(c: string): string {
  return JSON.stringify(c);
}

type State = 'value' | 'valueOrEnd' | 'key' | 'keyOrEnd' | 'colon' | 'commaOrEnd' | 'done';

/** The first syntax error of `s`, or null if `s` is valid JSON. */
export function findJsonSyntaxError(s: string): JsonSyntaxProblem | null {
  const n = s.length;
  const stack: string[] = [];
  let i = 0;
  let state: State = 'value';

  const at = (pos: number, problem: string): JsonSyntaxProblem => {
    let line = 1;
    let lineStart = 0;
    for (let k = s.indexOf('\n'); k >= 0 && k < pos; k = s.indexOf('\n', k + 1)) {
      line++;
      lineStart = k + 1;
    }
    return { pos, problem, truncated: pos >= n, line, column: pos - lineStart + 1 };
  };
  const after = (): State => (stack.length === 0 ? 'done' : 'commaOrEnd');

  /** Scans the string starting at s[i] === '"'; returns a problem or null. */
  const scanString = (): JsonSyntaxProblem | null => {
    i++;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return null;
      }
      if (c === 0x5c) {
        const e = s[i + 1];
        if (e === undefined) return at(n, 'unterminated string');
        if ('"\\/bfnrt'.includes(e)) i += 2;
        else if (e === 'u' && HEX4.test(s.slice(i + 2, i + 6))) i += 6;
        else if (e === 'u' && i + 6 > n) return at(n, 'unterminated string');
        else return at(i, `bad escape ${show(`\\${e}`)} in a string`);
      } else if (c < 0x20) return at(i, 'unescaped control character in a string');
      else i++;
    }
    return at(n, 'unterminated string');
  };

  const scanScalar = (): JsonSyntaxProblem | null => {
    for (const word of ['true', 'false', 'null']) {
      if (s.startsWith(word, i)) {
        i += word.length;
        return null;
      }
      if (n - i < word.length && word.startsWith(s.slice(i))) return at(n, 'unexpected end of input');
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(s);
    const full = m ? m[0].length : 0;
    // "-", "1.", "1e", "1e+" at the very end: a number that was cut off.
    PARTIAL_NUMBER.lastIndex = i;
    const partial = PARTIAL_NUMBER.exec(s)![0].length;
    if (partial > full && i + partial >= n) return at(n, 'unexpected end of input');
    if (full > 0) {
      i += full;
      return null;
    }
    return at(i, `unexpected character ${show(s[i]!)} where a value was expected`);
  };

  for (;;) {
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
    if (i >= n) return state === 'done' ? null : at(n, 'unexpected end of input');
    const c = s[i]!;
    switch (state) {
      case 'value':
      case 'valueOrEnd': {
        if (state === 'valueOrEnd' && c === ']') {
          stack.pop();
          i++;
          state = after();
        } else if (c === '{') {
          stack.push('{');
          i++;
          state = 'keyOrEnd';
        } else if (c === '[') {
          stack.push('[');
          i++;
          state = 'valueOrEnd';
        } else {
          const p = c === '"' ? scanString() : scanScalar();
          if (p) return p;
          state = after();
        }
        break;
      }
      case 'key':
      case 'keyOrEnd': {
        if (state === 'keyOrEnd' && c === '}') {
          stack.pop();
          i++;
          state = after();
          break;
        }
        if (c !== '"') return at(i, `expected a property name in double quotes, found ${show(c)}`);
        const p = scanString();
        if (p) return p;
        state = 'colon';
        break;
      }
      case 'colon':
        if (c !== ':') return at(i, `expected ':' after a property name, found ${show(c)}`);
        i++;
        state = 'value';
        break;
      case 'commaOrEnd': {
        const close = stack[stack.length - 1] === '{' ? '}' : ']';
        if (c === ',') {
          i++;
          state = close === '}' ? 'key' : 'value';
        } else if (c === close) {
          stack.pop();
          i++;
          state = after();
        } else return at(i, `expected ',' or '${close}', found ${show(c)}`);
        break;
      }
      case 'done':
        return at(i, `unexpected ${show(c)} after the end of the JSON value`);
    }
  }
}
