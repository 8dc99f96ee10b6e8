// Typed builders: the only way application code makes filters. Values are kept as
// data and escaped by formatFilter, so input such as `" or userName pr or userName eq "`
// stays one string literal. Every argument is checked here, so a built node always
// formats to text that parses back to the same node.

import { ScimFilterError } from '../errors.ts';
import {
  andNode,
  attributePath,
  compareNode,
  isAttributeName,
  isSchemaUri,
  notNode,
  orNode,
  presentNode,
  valuePathNode,
  walkFilter,
  type AttributePath,
  type CompareNode,
  type CompareOperator,
  type FilterNode,
  type FilterValue,
  type PresentNode,
  type ValuePathNode,
} from './ast.ts';
import { parseAttributePath } from './parser.ts';

/** A path as an AttributePath or as text such as `name.familyName` or `urn:…:User:manager.value`. */
export type PathInput = AttributePath | string;

function invalid(message: string): ScimFilterError {
  return new ScimFilterError('INVALID_FILTER_NODE', message, -1);
}

/** Checks and freezes a path given as text or as an object. */
export function toAttributePath(path: PathInput): AttributePath {
  if (typeof path === 'string') return parseAttributePath(path);
  if (path === null || typeof path !== 'object')
    throw invalid('An attribute path must be a string or an AttributePath');
  const { uri, attribute, subAttribute } = path;
  if (typeof attribute !== 'string' || !isAttributeName(attribute)) {
    throw invalid(`Invalid attribute name ${JSON.stringify(attribute)}`);
  }
  if (
    subAttribute !== undefined &&
    (typeof subAttribute !== 'string' || !isAttributeName(subAttribute))
  ) {
    throw invalid(`Invalid sub-attribute name ${JSON.stringify(subAttribute)}`);
  }
  if (uri !== undefined && (typeof uri !== 'string' || !isSchemaUri(uri))) {
    throw invalid(`Invalid schema URN ${JSON.stringify(uri)}`);
  }
  return Object.isFrozen(path) ? path : attributePath(attribute, subAttribute, uri);
}

function checkValue(value: FilterValue): FilterValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw invalid(`${value} cannot be written as a JSON number`);
      return value;
    default:
      if (value === null) return null;
      throw invalid(
        `A filter value must be a string, number, boolean or null, got ${typeof value}`,
      );
  }
}

function checkNode(node: FilterNode): FilterNode {
  if (node === null || typeof node !== 'object' || typeof node.kind !== 'string') {
    throw invalid('Expected a filter node');
  }
  return node;
}

export function compare(path: PathInput, op: CompareOperator, value: FilterValue): CompareNode {
  if (!['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'].includes(op)) {
    throw invalid(`Unknown comparison operator ${JSON.stringify(op)}`);
  }
  return compareNode(toAttributePath(path), op, checkValue(value));
}

export const eq = (path: PathInput, value: FilterValue): CompareNode => compare(path, 'eq', value);
export const ne = (path: PathInput, value: FilterValue): CompareNode => compare(path, 'ne', value);
export const co = (path: PathInput, value: FilterValue): CompareNode => compare(path, 'co', value);
export const sw = (path: PathInput, value: FilterValue): CompareNode => compare(path, 'sw', value);
export const ew = (path: PathInput, value: FilterValue): CompareNode => compare(path, 'ew', value);
export const gt = (path: PathInput, value: FilterValue): CompareNode => compare(path, 'gt', value);
export const ge = (path: PathInput, value: FilterValue): CompareNode => compare(path, 'ge', value);
export const lt = (path: PathInput, value: FilterValue): CompareNode => compare(path, 'lt', value);
export const le = (path: PathInput, value: FilterValue): CompareNode => compare(path, 'le', value);

export function pr(path: PathInput): PresentNode {
  return presentNode(toAttributePath(path));
}

/**
 * `and(a, b, …)`. With one filter, returns it unchanged (handy for UI groups);
 * with none, throws. Nested and/or nodes are kept as groups, not flattened.
 */
export function and(...filters: FilterNode[]): FilterNode {
  if (filters.length === 0) throw invalid('and() needs at least one filter');
  filters.forEach(checkNode);
  return filters.length === 1 ? filters[0]! : andNode(filters);
}

/** `or(a, b, …)`. One filter is returned unchanged; none throws. */
export function or(...filters: FilterNode[]): FilterNode {
  if (filters.length === 0) throw invalid('or() needs at least one filter');
  filters.forEach(checkNode);
  return filters.length === 1 ? filters[0]! : orNode(filters);
}

export function not(filter: FilterNode): FilterNode {
  return notNode(checkNode(filter));
}

/** `valuePath('emails', and(eq('type', 'work'), co('value', '@example.com')))`; inner paths are relative. */
export function valuePath(path: PathInput, filter: FilterNode): ValuePathNode {
  checkNode(filter);
  walkFilter(filter, (n) => {
    if (n.kind === 'valuePath') throw invalid('Value filters cannot be nested (RFC 7644 §3.4.2.2)');
  });
  return valuePathNode(toAttributePath(path), filter);
}
