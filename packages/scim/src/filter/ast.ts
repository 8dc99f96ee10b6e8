// The filter AST: small, frozen data with a `kind` discriminant (in the style of
// Kysely's operation nodes). Behaviour lives in the functions that walk it
// (format, lint, match). Nodes never carry text positions or parser state, so two
// filters that mean the same thing written the same way are deep-equal.

export const COMPARE_OPERATORS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const;
export type CompareOperator = (typeof COMPARE_OPERATORS)[number];
/** Every attribute operator, i.e. the comparison operators plus `pr`. */
export const ATTRIBUTE_OPERATORS = [...COMPARE_OPERATORS, 'pr'] as const;
export type AttributeOperator = (typeof ATTRIBUTE_OPERATORS)[number];
export const LOGICAL_OPERATORS = ['and', 'or', 'not'] as const;
export type LogicalOperator = (typeof LOGICAL_OPERATORS)[number];

/** A JSON literal as allowed by RFC 7644 `compValue`. */
export type FilterValue = string | number | boolean | null;

/**
 * An attribute path as written: optional schema URN, attribute, optional
 * sub-attribute. Names keep the case they were written in; comparisons against
 * schemas are case-insensitive.
 */
export interface AttributePath {
  readonly uri?: string;
  readonly attribute: string;
  readonly subAttribute?: string;
}

export interface CompareNode {
  readonly kind: 'compare';
  readonly path: AttributePath;
  readonly op: CompareOperator;
  readonly value: FilterValue;
}
export interface PresentNode {
  readonly kind: 'present';
  readonly path: AttributePath;
}
/** `a and b and c` is one node with three filters; a parenthesised group stays its own node. */
export interface AndNode {
  readonly kind: 'and';
  readonly filters: readonly FilterNode[];
}
export interface OrNode {
  readonly kind: 'or';
  readonly filters: readonly FilterNode[];
}
export interface NotNode {
  readonly kind: 'not';
  readonly filter: FilterNode;
}
/**
 * `emails[type eq "work"]`. Paths inside `filter` are relative to `path`.
 * `form` is set only when the parser accepted the non-RFC
 * `emails[type eq "work"].value eq "x"` (option `allowNonRfcForms`): the node then
 * holds the RFC equivalent `emails[type eq "work" and value eq "x"]`, and
 * lintFilter reports NON_RFC_FORM.
 */
export interface ValuePathNode {
  readonly kind: 'valuePath';
  readonly path: AttributePath;
  readonly filter: FilterNode;
  readonly form?: 'subAttributeAfterFilter';
}

export type FilterNode = CompareNode | PresentNode | AndNode | OrNode | NotNode | ValuePathNode;
export type FilterKind = FilterNode['kind'];

// ---------------------------------------------------------------------------
// Character classes of RFC 7643 §2.1 / RFC 7644 §3.4.2.2:
//   ATTRNAME = ALPHA *(nameChar); nameChar = "-" / "_" / DIGIT / ALPHA
// `$ref` (RFC 7643 §2.3.7, e.g. `members.$ref`) is accepted as a name because the
// core schemas define it, although the ABNF does not allow `$`.

export function isAlpha(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}
export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
export function isNameChar(c: number): boolean {
  return isAlpha(c) || isDigit(c) || c === 45 /* - */ || c === 95; /* _ */
}

/** True when `name` is an RFC ATTRNAME (or `$ref`). */
export function isAttributeName(name: string): boolean {
  const n = name.length;
  if (n === 0) return false;
  if (name.charCodeAt(0) === 36 /* $ */) return name.toLowerCase() === '$ref';
  if (!isAlpha(name.charCodeAt(0))) return false;
  for (let i = 1; i < n; i++) if (!isNameChar(name.charCodeAt(i))) return false;
  return true;
}

/**
 * True when `uri` can prefix an attribute path: it starts with a letter and holds
 * only the characters a schema URN uses (letters, digits, `:._-`), and does not end
 * with `:`. Anything else could not be read back from filter text.
 */
export function isSchemaUri(uri: string): boolean {
  const n = uri.length;
  if (n === 0 || !isAlpha(uri.charCodeAt(0)) || uri.charCodeAt(n - 1) === 58) return false;
  for (let i = 1; i < n; i++) {
    const c = uri.charCodeAt(i);
    if (!(isNameChar(c) || c === 46 /* . */ || c === 58 /* : */)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Node factories. They freeze and omit absent optional keys (so parsed and built
// nodes are deep-equal). They trust their input: the parser has already checked
// it; builder.ts checks it for everyone else.

export function attributePath(
  attribute: string,
  subAttribute?: string,
  uri?: string,
): AttributePath {
  if (uri !== undefined) {
    return subAttribute !== undefined
      ? Object.freeze({ uri, attribute, subAttribute })
      : Object.freeze({ uri, attribute });
  }
  return subAttribute !== undefined
    ? Object.freeze({ attribute, subAttribute })
    : Object.freeze({ attribute });
}

export function compareNode(
  path: AttributePath,
  op: CompareOperator,
  value: FilterValue,
): CompareNode {
  return Object.freeze({ kind: 'compare', path, op, value });
}
export function presentNode(path: AttributePath): PresentNode {
  return Object.freeze({ kind: 'present', path });
}
export function andNode(filters: readonly FilterNode[]): AndNode {
  return Object.freeze({ kind: 'and', filters: Object.freeze(filters.slice()) });
}
export function orNode(filters: readonly FilterNode[]): OrNode {
  return Object.freeze({ kind: 'or', filters: Object.freeze(filters.slice()) });
}
/** Like andNode, taking ownership of `filters` (the parser's fresh array) instead of copying it. */
export function andNodeOwned(filters: FilterNode[]): AndNode {
  return Object.freeze({ kind: 'and', filters: Object.freeze(filters) });
}
export function orNodeOwned(filters: FilterNode[]): OrNode {
  return Object.freeze({ kind: 'or', filters: Object.freeze(filters) });
}
export function notNode(filter: FilterNode): NotNode {
  return Object.freeze({ kind: 'not', filter });
}
export function valuePathNode(
  path: AttributePath,
  filter: FilterNode,
  form?: 'subAttributeAfterFilter',
): ValuePathNode {
  return form === undefined
    ? Object.freeze({ kind: 'valuePath', path, filter })
    : Object.freeze({ kind: 'valuePath', path, filter, form });
}

/** Calls `visit` on `node` and every node below it, depth-first, parents first. */
export function walkFilter(
  node: FilterNode,
  visit: (node: FilterNode, parent: FilterNode | undefined) => void,
): void {
  const stack: [FilterNode, FilterNode | undefined][] = [[node, undefined]];
  while (stack.length > 0) {
    const [current, parent] = stack.pop()!;
    visit(current, parent);
    switch (current.kind) {
      case 'and':
      case 'or':
        for (let i = current.filters.length - 1; i >= 0; i--)
          stack.push([current.filters[i]!, current]);
        break;
      case 'not':
      case 'valuePath':
        stack.push([current.filter, current]);
        break;
      default:
        break;
    }
  }
}
