// Recursive-descent parser for RFC 7644 §3.4.2.2 filters (with errata 4690 and
// 7319, i.e. `not (` with an optional space).
//
//   FILTER    = attrExp / logExp / valuePath / *1"not" "(" FILTER ")"
//   valuePath = attrPath "[" valFilter "]"
//   attrExp   = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)
//   logExp    = FILTER SP ("and" / "or") SP FILTER
//   attrPath  = [URI ":"] ATTRNAME *1subAttr
//
// Precedence: grouping, attribute operators, not, and, or. Depth is counted before
// every descent and checked against `maxDepth`, and `maxDepth` itself is capped at
// FILTER_LIMITS.hardMaxDepth, so no input can exhaust the call stack.
//
// Whitespace: where the ABNF has SP we require at least one whitespace character
// (space, tab, CR, LF) and accept more; around parentheses and brackets it is
// optional. Operators, `and`/`or`/`not` and attribute names are case-insensitive.
// `true`, `false` and `null` must be lowercase, as in JSON (RFC 7644 says compValue
// follows RFC 7159); `caseInsensitiveLiterals: true` accepts `True` too.

import { ScimFilterError } from '../errors.ts';
import {
  attributePath,
  andNode,
  andNodeOwned,
  orNodeOwned,
  compareNode,
  isAlpha,
  isAttributeName,
  isNameChar,
  isSchemaUri,
  notNode,
  presentNode,
  valuePathNode,
  type AttributePath,
  type CompareOperator,
  type FilterNode,
  type FilterValue,
} from './ast.ts';
import {
  FilterLexer,
  T_EOF,
  T_LBRACKET,
  T_LPAREN,
  T_NUMBER,
  T_RBRACKET,
  T_RPAREN,
  T_STRING,
  T_WORD,
  quoteForMessage,
} from './lexer.ts';

/** Default limits of parseFilter. Override per call with ParseFilterOptions. */
export const FILTER_LIMITS = Object.freeze({
  /** Longest filter text accepted, in UTF-16 code units. */
  maxLength: 10_000,
  /** Deepest nesting of `( )`, `not ( )` and `[ ]` accepted. */
  maxDepth: 50,
  /** Ceiling for `maxDepth` whatever the options say: keeps recursion far from the stack limit. */
  hardMaxDepth: 1_000,
});

export interface ParseFilterOptions {
  /** Longest accepted text (default FILTER_LIMITS.maxLength). */
  maxLength?: number;
  /** Deepest accepted nesting (default FILTER_LIMITS.maxDepth, capped at FILTER_LIMITS.hardMaxDepth). */
  maxDepth?: number;
  /**
   * Accept `emails[type eq "work"].value eq "x"` (sent by Microsoft Entra, not RFC
   * filter grammar). It is parsed as `emails[type eq "work" and value eq "x"]` with
   * `form: 'subAttributeAfterFilter'`; lintFilter flags it as NON_RFC_FORM.
   */
  allowNonRfcForms?: boolean;
  /**
   * When given, receives the source span of every node the parser creates
   * (`start` inclusive, `end` exclusive; a parenthesised group's span excludes
   * its parentheses), so editors can underline what lintFilter reports.
   */
  spans?: Map<FilterNode, FilterSpan>;
  /** Accept `True`, `NULL` … (JSON and the RFC use lowercase only). */
  caseInsensitiveLiterals?: boolean;
}

/** The attribute operator spelt (in any case) by text[start, end), without allocating. */
function operatorAt(text: string, start: number, end: number): CompareOperator | 'pr' | undefined {
  if (end - start !== 2) return undefined;
  // `| 0x20` lowercases ASCII letters and maps no other word character onto a letter.
  const a = text.charCodeAt(start) | 0x20;
  const b = text.charCodeAt(start + 1) | 0x20;
  switch (a) {
    case 101: // e
      return b === 113 ? 'eq' : b === 119 ? 'ew' : undefined;
    case 110: // n
      return b === 101 ? 'ne' : undefined;
    case 99: // c
      return b === 111 ? 'co' : undefined;
    case 115: // s
      return b === 119 ? 'sw' : undefined;
    case 103: // g
      return b === 116 ? 'gt' : b === 101 ? 'ge' : undefined;
    case 108: // l
      return b === 116 ? 'lt' : b === 101 ? 'le' : undefined;
    case 112: // p
      return b === 114 ? 'pr' : undefined;
    default:
      return undefined;
  }
}

export interface FilterSpan {
  readonly start: number;
  readonly end: number;
}

const OPERATOR_LIST = 'eq, ne, co, sw, ew, gt, ge, lt, le or pr';

// The parser is its own lexer (one allocation per parse); `lx` names the lexer role.
// One instance is reused by parseFilter (parsing is synchronous and never
// re-entered), so a parse allocates only the nodes it returns.
class Parser extends FilterLexer {
  private readonly lx: FilterLexer;
  private maxDepth: number = FILTER_LIMITS.maxDepth;
  private allowNonRfc = false;
  private lenientLiterals = false;
  private depth = 0;
  private inValuePath = false;
  private spans: Map<FilterNode, FilterSpan> | undefined;

  constructor() {
    super('');
    this.lx = this;
  }

  reset(text: string, options: ParseFilterOptions | undefined): void {
    this.resetText(text);
    const requested = options?.maxDepth ?? FILTER_LIMITS.maxDepth;
    this.maxDepth = Math.min(Math.max(0, requested), FILTER_LIMITS.hardMaxDepth);
    this.allowNonRfc = options?.allowNonRfcForms === true;
    this.lenientLiterals = options?.caseInsensitiveLiterals === true;
    this.depth = 0;
    this.inValuePath = false;
    this.spans = options?.spans;
  }

  /** Drops references to the last input so a reused parser keeps nothing alive. */
  release(): void {
    this.resetText('');
    this.spans = undefined;
  }

  /** Records node's span (from `start` to the end of the last token read) when spans are wanted. */
  private mark<T extends FilterNode>(node: T, start: number): T {
    if (this.spans !== undefined) this.spans.set(node, { start, end: this.prevEnd });
    return node;
  }

  parse(): FilterNode {
    const lx = this.lx;
    lx.next();
    if (lx.type === T_EOF)
      throw new ScimFilterError(
        'EMPTY_FILTER',
        'The filter is empty at position 0: expected an attribute, "(" or "not ("',
        0,
      );
    const node = this.parseOr();
    if (lx.type !== T_EOF) this.unexpectedAfterExpression();
    return node;
  }

  private parseOr(): FilterNode {
    const lx = this.lx;
    const start = lx.start;
    const first = this.parseAnd();
    if (!lx.wordIs('or')) return first;
    const filters = [first];
    while (lx.wordIs('or')) {
      this.consumeLogical('or');
      filters.push(this.parseAnd());
    }
    return this.mark(orNodeOwned(filters), start);
  }

  private parseAnd(): FilterNode {
    const lx = this.lx;
    const start = lx.start;
    const first = this.parseUnary();
    if (!lx.wordIs('and')) return first;
    const filters = [first];
    while (lx.wordIs('and')) {
      this.consumeLogical('and');
      filters.push(this.parseUnary());
    }
    return this.mark(andNodeOwned(filters), start);
  }

  /** Consumes `and`/`or`, checking the SP on both sides. */
  private consumeLogical(word: 'and' | 'or'): void {
    const lx = this.lx;
    if (!lx.spaceBefore) {
      throw new ScimFilterError(
        'MISSING_WHITESPACE',
        `Expected a space before "${lx.tokenText()}" at position ${lx.start}`,
        lx.start,
      );
    }
    const at = lx.start;
    lx.next();
    if (lx.type === T_EOF) {
      throw new ScimFilterError(
        'UNEXPECTED_END',
        `Expected a filter after "${word}" at position ${lx.start}`,
        lx.start,
      );
    }
    if (!lx.spaceBefore) {
      throw new ScimFilterError(
        'MISSING_WHITESPACE',
        `Expected a space after "${word}" at position ${at + word.length}`,
        at + word.length,
      );
    }
  }

  private enter(at: number): void {
    if (++this.depth > this.maxDepth) {
      throw new ScimFilterError(
        'FILTER_TOO_DEEP',
        `The filter nests deeper than ${this.maxDepth} levels at position ${at}`,
        at,
      );
    }
  }

  private parseUnary(): FilterNode {
    const lx = this.lx;
    switch (lx.type) {
      case T_LPAREN: {
        const open = lx.start;
        this.enter(open);
        lx.next();
        const inner = this.parseGroupBody(open);
        this.depth--;
        return inner;
      }
      case T_WORD: {
        if (lx.wordIs('not') && lx.peekNonSpace() === 40) {
          const notStart = lx.start;
          lx.next(); // now at "("
          const open = lx.start;
          this.enter(open);
          lx.next();
          const inner = this.parseGroupBody(open);
          this.depth--;
          return this.mark(notNode(inner), notStart);
        }
        return this.parseAttributeExpression();
      }
      case T_EOF:
        throw new ScimFilterError(
          'UNEXPECTED_END',
          `Unexpected end of the filter at position ${lx.start}: expected an attribute, "(" or "not ("`,
          lx.start,
        );
      case T_RPAREN:
      case T_RBRACKET:
        throw new ScimFilterError(
          'UNEXPECTED_TOKEN',
          `Expected a filter at position ${lx.start}, found ${lx.describeToken()}`,
          lx.start,
        );
      default:
        throw new ScimFilterError(
          'UNEXPECTED_TOKEN',
          `Expected an attribute name at position ${lx.start}, found ${lx.describeToken()}`,
          lx.start,
        );
    }
  }

  /** After "(": a filter, then ")". */
  private parseGroupBody(open: number): FilterNode {
    const lx = this.lx;
    if (lx.type === T_RPAREN) {
      throw new ScimFilterError(
        'UNEXPECTED_TOKEN',
        `Expected a filter inside "( )" at position ${lx.start}`,
        lx.start,
      );
    }
    const inner = this.parseOr();
    if (lx.type !== T_RPAREN) {
      if (lx.type === T_EOF) {
        throw new ScimFilterError(
          'UNBALANCED_PARENTHESES',
          `Expected ")" at position ${lx.start} to close the "(" at position ${open}`,
          lx.start,
        );
      }
      this.unexpectedAfterExpression();
    }
    lx.next();
    return inner;
  }

  /** The current token cannot follow a complete expression: say what could. */
  private unexpectedAfterExpression(): never {
    const lx = this.lx;
    if (lx.type === T_RPAREN && this.depth === 0) {
      throw new ScimFilterError(
        'UNBALANCED_PARENTHESES',
        `Unexpected ")" at position ${lx.start}: there is no "(" to close`,
        lx.start,
      );
    }
    if (lx.type === T_RBRACKET && !this.inValuePath) {
      throw new ScimFilterError(
        'UNBALANCED_BRACKETS',
        `Unexpected "]" at position ${lx.start}: there is no "[" to close`,
        lx.start,
      );
    }
    if (lx.type === T_RBRACKET) {
      throw new ScimFilterError(
        'UNBALANCED_PARENTHESES',
        `Expected ")" before "]" at position ${lx.start}`,
        lx.start,
      );
    }
    if (lx.type === T_RPAREN && this.inValuePath) {
      throw new ScimFilterError(
        'UNBALANCED_BRACKETS',
        `Expected "]" before ")" at position ${lx.start}`,
        lx.start,
      );
    }
    const expected = ['"and"', '"or"'];
    if (this.inValuePath) expected.push('"]"');
    if (this.depth > 0) expected.push('")"');
    if (!this.inValuePath && this.depth === 0) expected.push('the end of the filter');
    const list = `${expected.slice(0, -1).join(', ')} or ${expected[expected.length - 1]}`;
    throw new ScimFilterError(
      'UNEXPECTED_TOKEN',
      `Expected ${list} at position ${lx.start}, found ${lx.describeToken()}`,
      lx.start,
    );
  }

  /** attrPath followed by `pr`, an operator and a value, or `[valFilter]`. */
  private parseAttributeExpression(): FilterNode {
    const lx = this.lx;
    const pathStart = lx.start;
    const pathText = lx.tokenText();
    const path = this.readWordPath();
    lx.next();
    const node =
      lx.type === T_LBRACKET
        ? this.parseValuePath(path, pathStart, pathText)
        : this.parseOperatorAndValue(path, pathText);
    return this.mark(node, pathStart);
  }

  /** The current T_WORD as an attribute path. */
  private readWordPath(): AttributePath {
    const text = this.text;
    const start = this.start;
    const end = this.end;
    const colon = this.lastColon;
    const dot = this.wordDot;
    // Fast path: the lexer only lets name characters, ".", ":" and "$" into a word,
    // so without "$" and with at most one "." after the URN, checking the first
    // letter of each part is the whole validation.
    if (!this.wordDollar && this.wordDots <= 1) {
      const nameStart = colon >= 0 ? colon + 1 : start;
      const nameEnd = dot >= 0 ? dot : end;
      if (
        nameEnd > nameStart &&
        isAlpha(text.charCodeAt(nameStart)) &&
        (dot < 0 || (dot + 1 < end && isAlpha(text.charCodeAt(dot + 1)))) &&
        (colon < 0 || (colon > start && text.charCodeAt(colon - 1) !== 58))
      ) {
        return attributePath(
          text.slice(nameStart, nameEnd),
          dot >= 0 ? text.slice(dot + 1, end) : undefined,
          colon >= 0 ? text.slice(start, colon) : undefined,
        );
      }
    }
    return readPath(text, start, end, 'invalidFilter', colon);
  }

  private parseOperatorAndValue(path: AttributePath, pathText: string): FilterNode {
    const lx = this.lx;
    if (lx.type !== T_WORD) {
      throw new ScimFilterError(
        'EXPECTED_OPERATOR',
        `Expected a comparison operator after ${quoteForMessage(pathText)} at position ${lx.start}` +
          (lx.type === T_EOF ? '' : `, found ${lx.describeToken()}`),
        lx.start,
      );
    }
    const op = operatorAt(this.text, lx.start, lx.end);
    const opText = op ?? lx.tokenText();
    if (op === undefined && pathText.toLowerCase() === 'not') {
      throw new ScimFilterError(
        'UNEXPECTED_TOKEN',
        `Expected "(" after "not" at position ${lx.start}: "not" applies to a group, as in not (${opText} ...)`,
        lx.start,
      );
    }
    if (op === undefined) {
      throw new ScimFilterError(
        'UNKNOWN_OPERATOR',
        `Unknown operator ${quoteForMessage(opText)} after ${quoteForMessage(pathText)} at position ${lx.start}: expected ${OPERATOR_LIST}`,
        lx.start,
      );
    }
    if (!lx.spaceBefore) {
      throw new ScimFilterError(
        'MISSING_WHITESPACE',
        `Expected a space before "${opText}" at position ${lx.start}`,
        lx.start,
      );
    }
    const opEnd = lx.end;
    lx.next();
    if (op === 'pr') {
      if (lx.type === T_STRING || lx.type === T_NUMBER || this.isLiteralWord()) {
        throw new ScimFilterError(
          'PRESENT_WITH_VALUE',
          `"pr" takes no value, found ${lx.describeToken()} at position ${lx.start}`,
          lx.start,
        );
      }
      return presentNode(path);
    }
    const value = this.readValue(opText, opEnd);
    return compareNode(path, op, value);
  }

  private isLiteralWord(): boolean {
    const lx = this.lx;
    return lx.wordIs('true') || lx.wordIs('false') || lx.wordIs('null');
  }

  /** Reads compValue at the current token, then advances. */
  private readValue(opText: string, opEnd: number): FilterValue {
    const lx = this.lx;
    let value: FilterValue;
    if (lx.type === T_STRING || lx.type === T_NUMBER) {
      value = lx.value;
    } else if (lx.type === T_WORD && this.isLiteralWord()) {
      const word = lx.tokenText();
      const lower = word.toLowerCase();
      if (word !== lower && !this.lenientLiterals) {
        throw new ScimFilterError(
          'INVALID_LITERAL',
          `Literals are lowercase in SCIM filters: write ${lower} instead of ${word} at position ${lx.start}`,
          lx.start,
        );
      }
      value = lower === 'true' ? true : lower === 'false' ? false : null;
    } else if (lx.type === T_EOF || lx.type === T_RPAREN || lx.type === T_RBRACKET) {
      throw new ScimFilterError(
        'EXPECTED_VALUE',
        `Expected a value after "${opText}" at position ${lx.start}: a quoted string, a number, true, false or null`,
        lx.start,
      );
    } else {
      throw new ScimFilterError(
        'EXPECTED_VALUE',
        `Expected a value after "${opText}" at position ${lx.start}, found ${lx.describeToken()}: strings must be in double quotes; otherwise use a number, true, false or null`,
        lx.start,
      );
    }
    if (!lx.spaceBefore) {
      throw new ScimFilterError(
        'MISSING_WHITESPACE',
        `Expected a space after "${opText}" at position ${opEnd}`,
        opEnd,
      );
    }
    lx.next();
    return value;
  }

  private parseValuePath(path: AttributePath, pathStart: number, pathText: string): FilterNode {
    const lx = this.lx;
    const open = lx.start;
    if (this.inValuePath) {
      throw new ScimFilterError(
        'NESTED_VALUE_PATH',
        `Value filters cannot be nested: "[" at position ${open} is inside another "[ ]" (${quoteForMessage(pathText)} starts at ${pathStart})`,
        open,
      );
    }
    this.enter(open);
    this.inValuePath = true;
    lx.next();
    if (lx.type === T_RBRACKET) {
      throw new ScimFilterError(
        'UNEXPECTED_TOKEN',
        `Expected a filter inside "[ ]" at position ${lx.start}`,
        lx.start,
      );
    }
    const inner = this.parseOr();
    if (lx.type !== T_RBRACKET) {
      if (lx.type === T_EOF) {
        throw new ScimFilterError(
          'UNBALANCED_BRACKETS',
          `Expected "]" at position ${lx.start} to close the "[" at position ${open}`,
          lx.start,
        );
      }
      this.unexpectedAfterExpression();
    }
    this.inValuePath = false;
    this.depth--;
    // `]` is the current token; lx.pos is right after it. A `.sub` there is the
    // PATCH path form (RFC 7644 §3.5.2), not filter grammar.
    const close = lx.start;
    if (this.text.charCodeAt(lx.pos) === 46 /* . */) {
      return this.parseSubAttributeAfterFilter(path, inner, close + 1, pathText);
    }
    lx.next();
    return valuePathNode(path, inner);
  }

  private parseSubAttributeAfterFilter(
    path: AttributePath,
    inner: FilterNode,
    dot: number,
    pathText: string,
  ): FilterNode {
    const lx = this.lx;
    const text = this.text;
    let end = dot + 1;
    while (end < text.length && isNameChar(text.charCodeAt(end))) end++;
    const sub = text.slice(dot + 1, end);
    if (!this.allowNonRfc) {
      throw new ScimFilterError(
        'NON_RFC_FORM',
        `${quoteForMessage(`${pathText}[...]${text.slice(dot, end)}`)} at position ${dot} is not RFC 7644 filter grammar: write ${pathText}[... and ${sub || 'value'} ...] instead`,
        dot,
      );
    }
    if (!isAttributeName(sub)) {
      throw new ScimFilterError(
        'INVALID_ATTRIBUTE_PATH',
        `Expected a sub-attribute name after "." at position ${dot + 1}`,
        dot + 1,
      );
    }
    lx.pos = end;
    lx.next();
    const comparison = this.parseOperatorAndValue(attributePath(sub), `${pathText}[...].${sub}`);
    const filters = inner.kind === 'and' ? [...inner.filters, comparison] : [inner, comparison];
    return valuePathNode(path, andNode(filters), 'subAttributeAfterFilter');
  }
}

function failPath(
  text: string,
  start: number,
  end: number,
  scimType: 'invalidFilter' | 'invalidPath',
  at: number,
  why: string,
): never {
  throw new ScimFilterError(
    'INVALID_ATTRIBUTE_PATH',
    `Invalid attribute path ${quoteForMessage(text.slice(start, end))} at position ${at}: ${why}`,
    at,
    scimType,
  );
}

/**
 * Splits `[URI ":"] ATTRNAME ["." subAttr]` found at text[start, end). The URN
 * prefix ends at the last ":" (URNs contain "." as in "2.0", so ":" is split first).
 */
function readPath(
  text: string,
  start: number,
  end: number,
  scimType: 'invalidFilter' | 'invalidPath',
  lastColon?: number,
): AttributePath {
  const colon = lastColon ?? text.lastIndexOf(':', end - 1);
  const nameStart = colon >= start ? colon + 1 : start;
  // No closures here: this runs for every path, and a per-call closure costs
  // (under tsx's keepNames each one is also renamed with defineProperty).
  const fail = failPath;
  let uri: string | undefined;
  if (nameStart > start) {
    uri = text.slice(start, nameStart - 1);
    if (!isSchemaUri(uri))
      fail(
        text,
        start,
        end,
        scimType,
        start,
        'the schema URN before the attribute name is malformed',
      );
  }
  const dot = text.indexOf('.', nameStart);
  const nameEnd = dot >= 0 && dot < end ? dot : end;
  const attribute = text.slice(nameStart, nameEnd);
  if (attribute.length === 0)
    fail(text, start, end, scimType, nameStart, 'expected an attribute name');
  if (!isAttributeName(attribute)) {
    fail(
      text,
      start,
      end,
      scimType,
      nameStart,
      'attribute names start with a letter and contain only letters, digits, "-" and "_"',
    );
  }
  if (nameEnd === end) return attributePath(attribute, undefined, uri);
  const subAttribute = text.slice(nameEnd + 1, end);
  if (subAttribute.length === 0)
    fail(text, start, end, scimType, end, 'expected a sub-attribute name after "."');
  if (subAttribute.includes('.'))
    fail(
      text,
      start,
      end,
      scimType,
      nameEnd,
      'only one level of sub-attribute is allowed (e.g. name.familyName)',
    );
  if (!isAttributeName(subAttribute)) {
    fail(
      text,
      start,
      end,
      scimType,
      nameEnd + 1,
      'sub-attribute names start with a letter and contain only letters, digits, "-" and "_"',
    );
  }
  return attributePath(attribute, subAttribute, uri);
}

const PARSER = new Parser();

/**
 * Parses a filter (RFC 7644 §3.4.2.2) into a frozen AST.
 * @throws ScimFilterError (scimType `invalidFilter`) with the 0-based offset at fault.
 */
export function parseFilter(text: string, options?: ParseFilterOptions): FilterNode {
  if (typeof text !== 'string') {
    throw new ScimFilterError('EMPTY_FILTER', 'The filter must be a string', 0);
  }
  const maxLength = options?.maxLength ?? FILTER_LIMITS.maxLength;
  if (text.length > maxLength) {
    throw new ScimFilterError(
      'FILTER_TOO_LONG',
      `The filter is ${text.length} characters long; the limit is ${maxLength} (it goes past position ${maxLength})`,
      maxLength,
    );
  }
  PARSER.reset(text, options);
  try {
    return PARSER.parse();
  } finally {
    PARSER.release();
  }
}

/**
 * Parses an attribute path as used by `attributes`, `excludedAttributes` and
 * `sortBy` (RFC 7644 §3.10): `userName`, `name.givenName`,
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`.
 * Surrounding whitespace is ignored.
 * @throws ScimFilterError with scimType `invalidPath`.
 */
export function parseAttributePath(text: string): AttributePath {
  if (typeof text !== 'string') {
    throw new ScimFilterError(
      'INVALID_ATTRIBUTE_PATH',
      'An attribute path must be a string',
      0,
      'invalidPath',
    );
  }
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) <= 32) start++;
  while (end > start && text.charCodeAt(end - 1) <= 32) end--;
  if (start === end) {
    throw new ScimFilterError(
      'INVALID_ATTRIBUTE_PATH',
      'The attribute path is empty',
      start,
      'invalidPath',
    );
  }
  if (!isAlpha(text.charCodeAt(start)) && text.charCodeAt(start) !== 36) {
    throw new ScimFilterError(
      'INVALID_ATTRIBUTE_PATH',
      `Invalid attribute path ${quoteForMessage(text.slice(start, end))} at position ${start}: it must start with a letter`,
      start,
      'invalidPath',
    );
  }
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!(isNameChar(c) || c === 46 || c === 58 || c === 36)) {
      throw new ScimFilterError(
        'INVALID_ATTRIBUTE_PATH',
        `Unexpected character ${JSON.stringify(text[i])} in attribute path at position ${i}`,
        i,
        'invalidPath',
      );
    }
  }
  return readPath(text, start, end, 'invalidPath');
}
