/**
 * Cedar's lexical structure for the compiled subset: identifiers, integers, strings, operators and `//` comments.
 * Anything else (a character Cedar may read differently, such as non-ASCII whitespace) is {@link Unsupported}: the
 * policy set then goes to the Cedar engine, which is the reference for everything outside the subset.
 */
import { SecureApiPlatformError } from '../../spec/errors';

/** The text is outside what the compiler handles (or is not valid Cedar): the caller falls back to the Cedar engine. */
export class Unsupported extends SecureApiPlatformError {
  constructor(message: string, readonly at: number) {
    super(`${message} (at offset ${at})`);
    this.name = 'Unsupported';
  }
}

export type TokenKind = 'ident' | 'int' | 'string' | 'op' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Identifier, digits, operator; for a string, its raw text between the quotes (escapes not yet applied). */
  readonly value: string;
  readonly at: number;
}

const TWO_CHAR_OPS = new Set(['::', '==', '!=', '<=', '>=', '&&', '||']);
const ONE_CHAR_OPS = new Set(['<', '>', '!', '-', '+', '*', '(', ')', '[', ']', '{', '}', ',', ';', '.', '@', ':', '?']);

const isIdentStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isIdentPart = (c: number): boolean => isIdentStart(c) || isDigit(c);

export function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
    } else if (c === 47 && text.charCodeAt(i + 1) === 47) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end + 1;
    } else if (isIdentStart(c)) {
      let j = i + 1;
      while (j < text.length && isIdentPart(text.charCodeAt(j))) j++;
      tokens.push({ kind: 'ident', value: text.slice(i, j), at: i });
      i = j;
    } else if (isDigit(c)) {
      let j = i + 1;
      while (j < text.length && isDigit(text.charCodeAt(j))) j++;
      tokens.push({ kind: 'int', value: text.slice(i, j), at: i });
      i = j;
    } else if (c === 34) {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw new Unsupported('unterminated string', i);
      tokens.push({ kind: 'string', value: text.slice(i + 1, j), at: i });
      i = j + 1;
    } else if (TWO_CHAR_OPS.has(text.slice(i, i + 2))) {
      tokens.push({ kind: 'op', value: text.slice(i, i + 2), at: i });
      i += 2;
    } else if (ONE_CHAR_OPS.has(text[i])) {
      tokens.push({ kind: 'op', value: text[i], at: i });
      i++;
    } else {
      throw new Unsupported(`character ${JSON.stringify(text[i])}`, i);
    }
  }
  tokens.push({ kind: 'eof', value: '', at: text.length });
  return tokens;
}

const SIMPLE_ESCAPES: Record<string, string> = { 'n': '\n', 'r': '\r', 't': '\t', '\\': '\\', '0': '\0', '\'': '\'', '"': '"' };

/**
 * A string literal's value. Only the simple escapes (`\n \r \t \\ \0 \' \"`) are handled; any other escape, or a bare
 * carriage return, is {@link Unsupported}.
 */
export function unescape(raw: string, at: number): string {
  return unescapeParts(raw, at, false)[0];
}

/** A `like` pattern: its literal runs, split where an unescaped `*` stands (`\*` is a literal star). */
export function patternParts(raw: string, at: number): string[] {
  return unescapeParts(raw, at, true);
}

function unescapeParts(raw: string, at: number, pattern: boolean): string[] {
  if (!raw.includes('\\') && !raw.includes('\r')) return pattern ? raw.split('*') : [raw];
  const parts: string[] = [];
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\r') throw new Unsupported('carriage return in a string', at);
    if (pattern && c === '*') {
      parts.push(out);
      out = '';
    } else if (c !== '\\') {
      out += c;
    } else {
      const e = raw[++i];
      if (pattern && e === '*') out += '*';
      else if (e !== undefined && Object.prototype.hasOwnProperty.call(SIMPLE_ESCAPES, e)) out += SIMPLE_ESCAPES[e];
      else throw new Unsupported(`escape \\${e ?? ''}`, at);
    }
  }
  parts.push(out);
  return parts;
}
