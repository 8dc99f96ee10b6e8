// Canonical filter text. Invariant: parseFilter(formatFilter(node)) deep-equals
// node for every node the parser or the builders can produce.
//
// - operators and and/or/not in lowercase, names as written;
// - strings JSON-escaped (plus U+2028/U+2029, which some JavaScript-era tools
//   treat as line breaks), numbers as JSON (-0 kept), true/false/null;
// - parentheses around every and/or group inside another and/or/valuePath-free
//   logical node, so vendors with non-RFC precedence (Salesforce) read it right;
// - `not (…)` with a space, as in RFC 7644 errata 7319.
//
// Names and operators are checked here too, so a hand-made node can never inject
// text: a bad node throws ScimFilterError INVALID_FILTER_NODE.

import { ScimFilterError } from '../errors.ts';
import { FILTER_LIMITS } from './parser.ts';
import {
  isAttributeName,
  isSchemaUri,
  type AttributePath,
  type FilterNode,
  type FilterValue,
} from './ast.ts';

const VALID_OPS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
// Matches what JSON.stringify leaves as-is but some readers treat as line ends.
const HAS_LINE_SEPARATOR = /[\u2028\u2029]/;
const LINE_SEPARATORS = /[\u2028\u2029]/g;

export function tooDeep(): ScimFilterError {
  return new ScimFilterError(
    'FILTER_TOO_DEEP',
    `The filter nests deeper than ${FILTER_LIMITS.hardMaxDepth} levels`,
    -1,
  );
}

function badNode(message: string): ScimFilterError {
  return new ScimFilterError('INVALID_FILTER_NODE', message, -1);
}

// Text of frozen paths already checked and formatted: a frozen path cannot change,
// and filters reuse paths (the parser's, the builders'), so each is checked once.
const FORMATTED_PATHS = new WeakMap<AttributePath, string>();

export function formatAttributePath(path: AttributePath): string {
  const known = typeof path === 'object' && path !== null ? FORMATTED_PATHS.get(path) : undefined;
  if (known !== undefined) return known;
  const text = formatPathUncached(path);
  if (Object.isFrozen(path)) FORMATTED_PATHS.set(path, text);
  return text;
}

function formatPathUncached(path: AttributePath): string {
  if (path === null || typeof path !== 'object' || typeof path.attribute !== 'string') {
    throw badNode('An attribute path needs an attribute name');
  }
  const { uri, attribute, subAttribute } = path;
  if (!isAttributeName(attribute))
    throw badNode(`Invalid attribute name ${JSON.stringify(attribute)}`);
  let text = attribute;
  if (subAttribute !== undefined) {
    if (typeof subAttribute !== 'string' || !isAttributeName(subAttribute)) {
      throw badNode(`Invalid sub-attribute name ${JSON.stringify(subAttribute)}`);
    }
    text = `${attribute}.${subAttribute}`;
  }
  if (uri !== undefined) {
    if (typeof uri !== 'string' || !isSchemaUri(uri))
      throw badNode(`Invalid schema URN ${JSON.stringify(uri)}`);
    text = `${uri}:${text}`;
  }
  return text;
}

/** A filter value as a JSON literal. */
export function formatFilterValue(value: FilterValue): string {
  switch (typeof value) {
    case 'string': {
      const json = JSON.stringify(value);
      return HAS_LINE_SEPARATOR.test(json)
        ? json.replace(LINE_SEPARATORS, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029'))
        : json;
    }
    case 'number':
      if (Number.isNaN(value)) throw badNode('NaN is not a JSON number');
      // A literal such as 1e400 is valid JSON that reads as Infinity; write it back
      // as an out-of-range literal so the text parses to the same value.
      if (!Number.isFinite(value)) return value > 0 ? '1e999' : '-1e999';
      return Object.is(value, -0) ? '-0' : JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      if (value === null) return 'null';
      throw badNode(
        `A filter value must be a string, number, boolean or null, got ${typeof value}`,
      );
  }
}

export function formatFilter(node: FilterNode): string {
  return format(node, false, 0);
}

function format(node: FilterNode, nested: boolean, depth: number): string {
  // Built ASTs have no parser limit; refuse absurd nesting instead of overflowing the stack.
  if (depth > FILTER_LIMITS.hardMaxDepth) throw tooDeep();
  switch (node?.kind) {
    case 'compare':
      if (!VALID_OPS.has(node.op))
        throw badNode(`Unknown comparison operator ${JSON.stringify(node.op)}`);
      return `${formatAttributePath(node.path)} ${node.op} ${formatFilterValue(node.value)}`;
    case 'present':
      return `${formatAttributePath(node.path)} pr`;
    case 'and':
    case 'or': {
      const filters = node.filters;
      if (!Array.isArray(filters) || filters.length < 2) {
        throw badNode(`An "${node.kind}" node needs at least two filters`);
      }
      let text = format(filters[0]!, true, depth + 1);
      const joiner = node.kind === 'and' ? ' and ' : ' or ';
      for (let i = 1; i < filters.length; i++)
        text += joiner + format(filters[i]!, true, depth + 1);
      return nested ? `(${text})` : text;
    }
    case 'not':
      return `not (${format(node.filter, false, depth + 1)})`;
    case 'valuePath':
      return `${formatAttributePath(node.path)}[${format(node.filter, false, depth + 1)}]`;
    default:
      throw badNode(
        `Unknown filter node ${JSON.stringify((node as { kind?: unknown } | null)?.kind ?? null)}`,
      );
  }
}
