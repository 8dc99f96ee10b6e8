// Filter lexer: one pass over the text with charCodeAt, no regular expressions and
// no token objects on the hot path. The parser reads the current token from the
// lexer's fields and calls next().

import { ScimFilterError } from '../errors.ts';
import { isAlpha, isDigit, isNameChar } from './ast.ts';

export const T_EOF: TokenType = 0;
export const T_WORD: TokenType = 1; // attribute path, operator, keyword or literal (true/false/null)
export const T_STRING: TokenType = 2;
export const T_NUMBER: TokenType = 3;
export const T_LPAREN: TokenType = 4;
export const T_RPAREN: TokenType = 5;
export const T_LBRACKET: TokenType = 6;
export const T_RBRACKET: TokenType = 7;
// Typed as plain numbers on purpose: the parser re-reads `type` after next(), which
// literal types would wrongly narrow away.
export type TokenType = number;

const TOKEN_NAMES = [
  'end of filter',
  'word',
  'string',
  'number',
  '"("',
  '")"',
  '"["',
  '"]"',
] as const;
export function tokenName(type: TokenType): string {
  return TOKEN_NAMES[type] ?? 'token';
}

/** 1 for the ASCII name characters (letters, digits, "-", "_"): one load instead of four comparisons. */
const NAME_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) NAME_CHAR[c] = isNameChar(c) ? 1 : 0;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** Characters that may continue a word: name characters plus `.` `:` (paths, URNs) and `$` (`$ref`). */
function isWordChar(c: number): boolean {
  return isNameChar(c) || c === 46 || c === 58 || c === 36;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

export function quoteForMessage(text: string): string {
  const shown = text.length > 40 ? `${text.slice(0, 37)}...` : text;
  return JSON.stringify(shown);
}

export class FilterLexer {
  text: string;
  /** Offset of the next unread character. */
  pos = 0;
  type: TokenType = T_EOF;
  start = 0;
  end = 0;
  /** Decoded value of a T_STRING or T_NUMBER token. */
  value: string | number = '';
  /** Whether whitespace separates this token from the previous one. */
  spaceBefore = false;
  prevStart = 0;
  prevEnd = 0;
  /** Offset of the last ":" in the current T_WORD, or -1: where a URN prefix ends. */
  lastColon = -1;
  /** Offset of the first "." after lastColon in the current T_WORD, or -1. */
  wordDot = -1;
  /** How many "." follow lastColon in the current T_WORD. */
  wordDots = 0;
  /** Whether the current T_WORD contains "$". */
  wordDollar = false;

  constructor(text: string) {
    this.text = text;
  }

  /** Starts over on new text (the parser reuses one lexer). */
  resetText(text: string): void {
    this.text = text;
    this.pos = this.start = this.end = this.prevStart = this.prevEnd = 0;
    this.type = T_EOF;
    this.value = '';
    this.spaceBefore = false;
  }

  /** The source text of the current token. */
  tokenText(): string {
    return this.text.slice(this.start, this.end);
  }

  /** The current token described for an error message. */
  describeToken(): string {
    return this.type === T_EOF ? 'the end of the filter' : quoteForMessage(this.tokenText());
  }

  /** Code of the first non-space character from `pos`, or -1 at the end. */
  peekNonSpace(): number {
    const text = this.text;
    let i = this.pos;
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
    return i < text.length ? text.charCodeAt(i) : -1;
  }

  /** True when the current T_WORD equals `lower` (ASCII, case-insensitively). */
  wordIs(lower: string): boolean {
    const n = lower.length;
    if (this.type !== T_WORD || this.end - this.start !== n) return false;
    const text = this.text;
    for (let i = 0; i < n; i++) {
      if ((text.charCodeAt(this.start + i) | 0x20) !== lower.charCodeAt(i)) return false;
    }
    return true;
  }

  next(): void {
    const text = this.text;
    const len = text.length;
    this.prevStart = this.start;
    this.prevEnd = this.end;
    let i = this.pos;
    const before = i;
    while (i < len && isSpace(text.charCodeAt(i))) i++;
    this.spaceBefore = i > before || i === 0;
    this.start = i;
    if (i >= len) {
      this.type = T_EOF;
      this.end = this.pos = len;
      return;
    }
    const c = text.charCodeAt(i);
    if (isAlpha(c) || c === 36 /* $ */) {
      i++;
      // Note where a URN prefix ends and where the sub-attribute starts while
      // scanning, so the parser can split the path without searching again.
      let colon = -1;
      let dot = -1;
      let dots = 0;
      let dollar = c === 36;
      for (; i < len; i++) {
        const w = text.charCodeAt(i);
        if (w < 128 && NAME_CHAR[w] === 1) continue;
        if (w === 58) {
          colon = i;
          dot = -1;
          dots = 0;
        } else if (w === 46) {
          if (dot < 0) dot = i;
          dots++;
        } else if (w === 36) dollar = true;
        else break;
      }
      this.lastColon = colon;
      this.wordDot = dot;
      this.wordDots = dots;
      this.wordDollar = dollar;
      this.type = T_WORD;
    } else if (c === 34 /* " */) {
      i = this.readString(i);
      this.type = T_STRING;
    } else if (c === 45 /* - */ || isDigit(c)) {
      i = this.readNumber(i);
      this.type = T_NUMBER;
    } else if (c === 40) {
      i++;
      this.type = T_LPAREN;
    } else if (c === 41) {
      i++;
      this.type = T_RPAREN;
    } else if (c === 91) {
      i++;
      this.type = T_LBRACKET;
    } else if (c === 93) {
      i++;
      this.type = T_RBRACKET;
    } else {
      throw unexpectedCharacter(text, i);
    }
    this.end = this.pos = i;
  }

  /** Reads a JSON string starting at the opening quote; returns the offset after the closing quote. */
  private readString(open: number): number {
    const text = this.text;
    // Fast path: no escape and no control character before the closing quote.
    const len = text.length;
    let k = open + 1;
    let c = 0;
    while (k < len && (c = text.charCodeAt(k)) !== 34 && c !== 92 && c >= 0x20) k++;
    if (k < len && c === 34) {
      this.value = text.slice(open + 1, k);
      return k + 1;
    }
    return this.readEscapedString(open);
  }

  private readEscapedString(open: number): number {
    const text = this.text;
    const len = text.length;
    let i = open + 1;
    let chunkStart = i;
    let out: string | undefined;
    for (;;) {
      if (i >= len) {
        throw new ScimFilterError(
          'UNTERMINATED_STRING',
          `Unterminated string starting at position ${open}: add the closing '"'`,
          open,
        );
      }
      const c = text.charCodeAt(i);
      if (c === 34) {
        const tail = text.slice(chunkStart, i);
        this.value = out === undefined ? tail : out + tail;
        return i + 1;
      }
      if (c === 92 /* \ */) {
        out = (out ?? '') + text.slice(chunkStart, i);
        const e = i + 1 < len ? text.charCodeAt(i + 1) : -1;
        switch (e) {
          case 34:
            out += '"';
            break;
          case 92:
            out += '\\';
            break;
          case 47:
            out += '/';
            break;
          case 98:
            out += '\b';
            break;
          case 102:
            out += '\f';
            break;
          case 110:
            out += '\n';
            break;
          case 114:
            out += '\r';
            break;
          case 116:
            out += '\t';
            break;
          case 117: {
            let code = 0;
            for (let k = 2; k < 6; k++) {
              const h = i + k < len ? hexValue(text.charCodeAt(i + k)) : -1;
              if (h < 0) {
                throw new ScimFilterError(
                  'INVALID_ESCAPE',
                  `Invalid escape "${text.slice(i, Math.min(len, i + 6))}" at position ${i}: \\u must be followed by four hex digits`,
                  i,
                );
              }
              code = code * 16 + h;
            }
            out += String.fromCharCode(code);
            i += 4;
            break;
          }
          case -1:
            throw new ScimFilterError(
              'UNTERMINATED_STRING',
              `Unterminated string starting at position ${open}: add the closing '"'`,
              open,
            );
          default:
            throw new ScimFilterError(
              'INVALID_ESCAPE',
              `Invalid escape "\\${String.fromCharCode(e)}" at position ${i}: use \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX`,
              i,
            );
        }
        i += 2;
        chunkStart = i;
        continue;
      }
      if (c < 0x20) {
        throw new ScimFilterError(
          'CONTROL_CHARACTER',
          `Control character U+${c.toString(16).toUpperCase().padStart(4, '0')} in a string at position ${i}: write it as an escape such as \\n or \\u${c.toString(16).padStart(4, '0')}`,
          i,
        );
      }
      i++;
    }
  }

  /** Reads a JSON number (RFC 8259 §6): -?(0|[1-9]digits)(.digits)?([eE][+-]?digits)? */
  private readNumber(begin: number): number {
    const text = this.text;
    const len = text.length;
    let i = begin;
    if (text.charCodeAt(i) === 45) i++;
    if (i >= len || !isDigit(text.charCodeAt(i))) invalidNumber(text, begin, i);
    if (text.charCodeAt(i) === 48) {
      i++;
    } else {
      while (i < len && isDigit(text.charCodeAt(i))) i++;
    }
    if (i < len && text.charCodeAt(i) === 46) {
      i++;
      if (i >= len || !isDigit(text.charCodeAt(i))) invalidNumber(text, begin, i);
      while (i < len && isDigit(text.charCodeAt(i))) i++;
    }
    if (i < len && (text.charCodeAt(i) | 0x20) === 101) {
      i++;
      if (i < len && (text.charCodeAt(i) === 43 || text.charCodeAt(i) === 45)) i++;
      if (i >= len || !isDigit(text.charCodeAt(i))) invalidNumber(text, begin, i);
      while (i < len && isDigit(text.charCodeAt(i))) i++;
    }
    // A number must end at a delimiter: `1abc` or `01` is not a number.
    if (i < len && (isWordChar(text.charCodeAt(i)) || text.charCodeAt(i) === 45))
      invalidNumber(text, begin, i);
    this.value = Number(text.slice(begin, i));
    return i;
  }
}

function invalidNumber(text: string, begin: number, at: number): never {
  let stop = at;
  while (
    stop < text.length &&
    (isWordChar(text.charCodeAt(stop)) ||
      text.charCodeAt(stop) === 43 ||
      text.charCodeAt(stop) === 45)
  )
    stop++;
  throw new ScimFilterError(
    'INVALID_NUMBER',
    `Invalid number ${quoteForMessage(text.slice(begin, Math.max(stop, at + 1)))} at position ${begin}: numbers follow JSON (e.g. 42, -1.5, 2e10); quote strings`,
    begin,
  );
}

function unexpectedCharacter(text: string, i: number): ScimFilterError {
  const code = text.codePointAt(i)!;
  const ch = String.fromCodePoint(code);
  let hint = '';
  if (ch === "'") hint = '; strings must be in double quotes';
  else if (ch === '.')
    hint = '; a sub-attribute follows an attribute name directly, as in name.familyName';
  else if (ch === '&' || ch === '|' || ch === '!') hint = '; use and, or, not ( ... )';
  else if (ch === '=' || ch === '<' || ch === '>') hint = '; use eq, ne, gt, ge, lt, le';
  const shown =
    code < 0x20 || code === 0x7f
      ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}`
      : JSON.stringify(ch);
  return new ScimFilterError(
    'UNEXPECTED_CHARACTER',
    `Unexpected character ${shown} at position ${i}${hint}`,
    i,
  );
}

/** A token for editors (syntax highlighting). `kind` tells what the parser would read it as. */
export interface FilterToken {
  readonly kind:
    | 'attribute'
    | 'operator'
    | 'logical'
    | 'string'
    | 'number'
    | 'literal'
    | 'paren'
    | 'bracket'
    | 'invalid';
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

const OPERATOR_WORDS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr']);

/**
 * Splits filter text into tokens for highlighting. Never throws: text the lexer
 * cannot read becomes one `invalid` token running to the next space.
 * A word is an `operator` when it follows an attribute, `logical` for and/or/not
 * elsewhere, and a `literal` for true/false/null after an operator.
 */
export function tokenizeFilter(text: string): FilterToken[] {
  const tokens: FilterToken[] = [];
  const lexer = new FilterLexer(text);
  let previous: FilterToken['kind'] | undefined;
  while (lexer.pos < text.length) {
    try {
      lexer.next();
    } catch (_error) {
      let stop = lexer.pos;
      while (stop < text.length && isSpace(text.charCodeAt(stop))) stop++;
      const begin = stop;
      while (stop < text.length && !isSpace(text.charCodeAt(stop))) stop++;
      tokens.push({ kind: 'invalid', start: begin, end: stop, text: text.slice(begin, stop) });
      lexer.pos = stop;
      previous = 'invalid';
      continue;
    }
    if (lexer.type === T_EOF) break;
    const word = lexer.tokenText();
    let kind: FilterToken['kind'];
    switch (lexer.type) {
      case T_STRING:
        kind = 'string';
        break;
      case T_NUMBER:
        kind = 'number';
        break;
      case T_LPAREN:
      case T_RPAREN:
        kind = 'paren';
        break;
      case T_LBRACKET:
      case T_RBRACKET:
        kind = 'bracket';
        break;
      default: {
        const lower = word.toLowerCase();
        if (previous === 'attribute' && OPERATOR_WORDS.has(lower)) kind = 'operator';
        else if (
          previous === 'operator' &&
          (lower === 'true' || lower === 'false' || lower === 'null')
        )
          kind = 'literal';
        else if (lower === 'and' || lower === 'or')
          kind = previous === 'attribute' ? 'attribute' : 'logical';
        else if (lower === 'not' && lexer.peekNonSpace() === 40) kind = 'logical';
        else kind = 'attribute';
      }
    }
    tokens.push({ kind, start: lexer.start, end: lexer.end, text: word });
    previous = kind;
  }
  return tokens;
}
