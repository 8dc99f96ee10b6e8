// SCIM filter syntax (RFC 7644 §3.4.2.2) for CodeMirror: a small stream tokenizer
// that tells apart attribute paths, schema URNs, comparison operators, logical
// words, strings, numbers and literals, plus the highlight style for them.
import { HighlightStyle, StreamLanguage, type StringStream } from '@codemirror/language';
import { tags } from '@lezer/highlight';

export const COMPARISON_WORDS = [
  'eq',
  'ne',
  'co',
  'sw',
  'ew',
  'gt',
  'ge',
  'lt',
  'le',
  'pr',
] as const;
export const LOGICAL_WORDS = ['and', 'or', 'not'] as const;
const COMPARISON = new Set<string>(COMPARISON_WORDS);
const LOGICAL = new Set<string>(LOGICAL_WORDS);
const LITERALS = new Set(['true', 'false', 'null']);

function token(stream: StringStream): string | null {
  if (stream.eatSpace()) return null;
  const ch = stream.peek();
  if (ch === '"') {
    stream.next();
    let escaped = false;
    for (let c = stream.next(); c !== undefined; c = stream.next()) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') return 'string';
    }
    return 'string';
  }
  if (stream.match(/^-?\d+(\.\d+)?([eE][+-]?\d+)?(?![\w.])/)) return 'number';
  if (ch === '(' || ch === ')') {
    stream.next();
    return 'paren';
  }
  if (ch === '[' || ch === ']') {
    stream.next();
    return 'bracket';
  }
  if (
    stream.match(
      /^urn:[A-Za-z0-9\-._~%!$&'()*+,;=:@/]*?:(?=[A-Za-z$][\w$-]*(\.[A-Za-z$][\w$-]*)?(?![\w:]))/i,
    )
  ) {
    return 'urn';
  }
  const word = stream.match(/^[A-Za-z$][\w$-]*(\.[A-Za-z$][\w$-]*)?/) as RegExpMatchArray | null;
  if (word) {
    const lower = word[0].toLowerCase();
    if (LOGICAL.has(lower)) return 'logic';
    if (COMPARISON.has(lower)) return 'compare';
    if (LITERALS.has(lower)) return 'literal';
    return 'attribute';
  }
  stream.next();
  return 'invalid';
}

export const scimFilterLanguage = StreamLanguage.define<null>({
  name: 'scim-filter',
  token,
  tokenTable: {
    string: tags.string,
    number: tags.number,
    paren: tags.paren,
    bracket: tags.squareBracket,
    urn: tags.namespace,
    logic: tags.logicOperator,
    compare: tags.compareOperator,
    literal: tags.bool,
    attribute: tags.propertyName,
    invalid: tags.invalid,
  },
  languageData: { closeBrackets: { brackets: ['(', '[', '"'] } },
});

// Colours from Bootstrap's palette so that they follow light and dark mode.
export const scimFilterHighlight = HighlightStyle.define([
  { tag: tags.string, color: 'var(--bs-success-text-emphasis)' },
  { tag: tags.number, color: 'var(--bs-warning-text-emphasis)' },
  { tag: tags.bool, color: 'var(--bs-warning-text-emphasis)', fontWeight: '600' },
  { tag: tags.logicOperator, color: 'var(--bs-primary-text-emphasis)', fontWeight: '700' },
  { tag: tags.compareOperator, color: 'var(--bs-danger-text-emphasis)', fontWeight: '600' },
  { tag: tags.propertyName, color: 'var(--bs-info-text-emphasis)' },
  { tag: tags.namespace, color: 'var(--bs-secondary-color)', fontStyle: 'italic' },
  { tag: [tags.paren, tags.squareBracket], color: 'var(--bs-body-color)', fontWeight: '700' },
  { tag: tags.invalid, color: 'var(--bs-danger)', textDecoration: 'underline wavy' },
]);
