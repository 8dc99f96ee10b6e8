// Evaluates a filter against a resource with RFC 7644 §3.4.2.2 semantics:
//
// - a multi-valued attribute matches when any of its values matches;
// - naming a complex attribute without a sub-attribute (`emails co "@x"`) compares
//   its `value` sub-attribute;
// - string comparisons honour the schema's caseExact (userName and emails are
//   case-insensitive, id is case-exact); unknown attributes compare case-insensitively;
// - dateTime attributes compare as instants, numbers numerically, other strings
//   lexicographically by UTF-16 code unit;
// - `pr`: null, "", [] and {} (or an object whose members are all absent) are absent;
// - extension attributes are read from under their schema URN key;
// - `ne` is true when the attribute has no value, or any value differs;
//   `eq null` is true when the attribute is absent, `ne null` when present;
// - gt/ge/lt/le on boolean or binary attributes are an invalidFilter error
//   (ScimFilterError OPERATOR_TYPE_MISMATCH, thrown by compileFilter).
//
// compileFilter resolves every path against the schema once and returns a
// closure; matchFilter caches the compiled closure per (node, schema, resource
// type), so filtering 100k resources does no schema work per resource.

import { ScimFilterError } from '../errors.ts';
import type { SchemaModel } from '../schema/schema-model.ts';
import type { AttributeDefinition, AttributeType } from '../schema/schema.types.ts';
import type {
  AttributePath,
  CompareNode,
  CompareOperator,
  FilterNode,
  FilterValue,
} from './ast.ts';
import { formatAttributePath, tooDeep } from './format.ts';
import { FILTER_LIMITS } from './parser.ts';

export interface MatchContext {
  readonly schema: SchemaModel;
  /** Resource type name or endpoint, e.g. `User` or `/Users`. */
  readonly resourceType: string;
}

export type FilterPredicate = (resource: unknown) => boolean;

type Getter = (container: unknown) => unknown;
type ValueTest = (value: unknown) => boolean;

/** Where paths are resolved: the resource, or an element of a multi-valued complex attribute (inside `[ ]`). */
type Scope =
  | { readonly kind: 'resource'; readonly context: MatchContext }
  | { readonly kind: 'element'; readonly parent: AttributeDefinition | undefined };

/** Reads `name` from an object: the exact key first, then any key equal ignoring case. */
function getProp(container: unknown, name: string, lower: string): unknown {
  if (container === null || typeof container !== 'object' || Array.isArray(container))
    return undefined;
  const record = container as Record<string, unknown>;
  const direct = record[name];
  if (direct !== undefined) return direct;
  for (const key in record) {
    if (key.length === lower.length && key.toLowerCase() === lower) return record[key];
  }
  return undefined;
}

function propGetter(name: string): Getter {
  const lower = name.toLowerCase();
  return (container) => getProp(container, name, lower);
}

/** True for a value that counts as present for `pr`. */
export function isPresent(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) {
    for (const item of value) if (isPresent(item)) return true;
    return false;
  }
  if (typeof value === 'object') {
    for (const key in value as Record<string, unknown>) {
      if (isPresent((value as Record<string, unknown>)[key])) return true;
    }
    return false;
  }
  return true;
}

function anyValue(raw: unknown, test: ValueTest): boolean {
  if (Array.isArray(raw)) {
    for (const item of raw) if (test(item)) return true;
    return false;
  }
  return test(raw);
}

/** Calls test on each value of `sub` across `raw` (an object or an array of objects). */
function anySub(raw: unknown, sub: Getter, test: ValueTest): boolean {
  if (Array.isArray(raw)) {
    for (const item of raw) if (anyValue(sub(item), test)) return true;
    return false;
  }
  return anyValue(sub(raw), test);
}

interface Leaf {
  /** Returns the raw attribute (possibly an array) the leaf values come from. */
  readonly read: Getter;
  /** When set, the leaf values are this sub-attribute of each element of `read`'s result. */
  readonly sub?: Getter;
  readonly type: AttributeType;
  readonly caseExact: boolean;
  readonly label: string;
}

function findSub(
  parent: AttributeDefinition | undefined,
  name: string,
): AttributeDefinition | undefined {
  const lower = name.toLowerCase();
  return parent?.subAttributes?.find((s) => s.name.toLowerCase() === lower);
}

function inferType(value: FilterValue): AttributeType {
  return typeof value === 'number' ? 'decimal' : typeof value === 'boolean' ? 'boolean' : 'string';
}

/**
 * Works out where a path's values live and how to compare them. `forPresence`
 * keeps a complex attribute whole (for `pr`) instead of reading its `value`.
 */
function leafFor(
  path: AttributePath,
  scope: Scope,
  value: FilterValue,
  forPresence: boolean,
): Leaf {
  const label = formatAttributePath(path);
  if (scope.kind === 'resource') {
    const { schema, resourceType } = scope.context;
    const resolved = schema.resolve(resourceType, path);
    if (resolved !== undefined) {
      const attr = resolved.attribute;
      const ext = resolved.extension ? propGetter(resolved.schema) : undefined;
      const own = propGetter(attr.name);
      const read: Getter = ext ? (resource) => own(ext(resource)) : own;
      let def: AttributeDefinition = attr;
      let sub: Getter | undefined;
      if (resolved.subAttribute !== undefined) {
        def = resolved.subAttribute;
        sub = propGetter(def.name);
      } else if (attr.type === 'complex' && !forPresence) {
        const valueDef = findSub(attr, 'value');
        def = valueDef ?? attr;
        sub = propGetter(valueDef?.name ?? 'value');
      }
      return { read, ...(sub ? { sub } : {}), type: def.type, caseExact: def.caseExact, label };
    }
    // Unknown to the schema: read by name, ignoring case, and compare by the filter value's type.
    const core = scope.context.schema.resourceType(resourceType)?.schema.toLowerCase();
    const container =
      path.uri !== undefined && path.uri.toLowerCase() !== core ? propGetter(path.uri) : undefined;
    const own = propGetter(path.attribute);
    const read: Getter = container ? (resource) => own(container(resource)) : own;
    return {
      read,
      ...(path.subAttribute !== undefined ? { sub: propGetter(path.subAttribute) } : {}),
      type: inferType(value),
      caseExact: false,
      label,
    };
  }
  // Inside a value filter: the path names a sub-attribute of the element.
  const def = findSub(scope.parent, path.attribute);
  const name = def?.name ?? path.attribute;
  const lower = name.toLowerCase();
  // Elements of a multi-valued simple attribute are primitives: `value` is the element itself.
  const read: Getter = (element) =>
    element !== null && typeof element === 'object'
      ? getProp(element, name, lower)
      : lower === 'value'
        ? element
        : undefined;
  if (path.subAttribute !== undefined) {
    return {
      read,
      sub: propGetter(path.subAttribute),
      type: inferType(value),
      caseExact: false,
      label,
    };
  }
  return { read, type: def?.type ?? inferType(value), caseExact: def?.caseExact ?? false, label };
}

const ORDERING = new Set<CompareOperator>(['gt', 'ge', 'lt', 'le']);

function stringTest(op: CompareOperator, filterValue: string, caseExact: boolean): ValueTest {
  const fv = caseExact ? filterValue : filterValue.toLowerCase();
  const norm = caseExact ? (v: string) => v : (v: string) => v.toLowerCase();
  switch (op) {
    case 'eq':
    case 'ne':
      return (v) => typeof v === 'string' && norm(v) === fv;
    case 'co':
      return (v) => typeof v === 'string' && norm(v).includes(fv);
    case 'sw':
      return (v) => typeof v === 'string' && norm(v).startsWith(fv);
    case 'ew':
      return (v) => typeof v === 'string' && norm(v).endsWith(fv);
    case 'gt':
      return (v) => typeof v === 'string' && norm(v) > fv;
    case 'ge':
      return (v) => typeof v === 'string' && norm(v) >= fv;
    case 'lt':
      return (v) => typeof v === 'string' && norm(v) < fv;
    case 'le':
      return (v) => typeof v === 'string' && norm(v) <= fv;
  }
}

function orderTest(op: CompareOperator, fv: number, toNumber: (v: unknown) => number): ValueTest {
  switch (op) {
    case 'eq':
    case 'ne':
      return (v) => toNumber(v) === fv;
    case 'gt':
      return (v) => toNumber(v) > fv;
    case 'ge':
      return (v) => toNumber(v) >= fv;
    case 'lt':
      return (v) => toNumber(v) < fv;
    case 'le':
      return (v) => toNumber(v) <= fv;
    default:
      return () => false;
  }
}

const instant = (v: unknown): number => (typeof v === 'string' ? Date.parse(v) : Number.NaN);
const numeric = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);

/** The test one value must pass for `op` (for `ne`, the equality test that is then negated). */
function valueTest(op: CompareOperator, value: FilterValue, leaf: Leaf): ValueTest {
  if (ORDERING.has(op) && (leaf.type === 'boolean' || leaf.type === 'binary')) {
    throw new ScimFilterError(
      'OPERATOR_TYPE_MISMATCH',
      `"${op}" cannot compare ${leaf.label}: it is a ${leaf.type} attribute (RFC 7644 §3.4.2.2)`,
      -1,
    );
  }
  switch (typeof value) {
    case 'string':
      if (leaf.type === 'dateTime') {
        const fv = Date.parse(value);
        if (!Number.isNaN(fv) && op !== 'co' && op !== 'sw' && op !== 'ew')
          return orderTest(op, fv, instant);
      }
      if (leaf.type === 'integer' || leaf.type === 'decimal' || leaf.type === 'boolean')
        return () => false;
      return stringTest(op, value, leaf.caseExact || leaf.type === 'binary');
    case 'number':
      return orderTest(op, value, numeric);
    case 'boolean':
      return op === 'eq' || op === 'ne' ? (v) => v === value : () => false;
    default:
      return isPresent; // null: handled by the caller
  }
}

function compileCompare(node: CompareNode, scope: Scope): FilterPredicate {
  const leaf = leafFor(node.path, scope, node.value, node.value === null);
  const { read, sub } = leaf;
  if (node.value === null) {
    // `eq null`: no value; `ne null`: some value; anything else with null matches nothing.
    const has = sub
      ? (r: unknown) => anySub(read(r), sub, isPresent)
      : (r: unknown) => isPresent(read(r));
    if (node.op === 'eq') return (r) => !has(r);
    if (node.op === 'ne') return has;
    return () => false;
  }
  const test = valueTest(node.op, node.value, leaf);
  if (node.op === 'ne') {
    // True when there is no value, or when any value differs.
    const differs: ValueTest = (v) => isPresent(v) && !test(v);
    if (sub)
      return (r) => {
        const raw = read(r);
        return !anySub(raw, sub, isPresent) || anySub(raw, sub, differs);
      };
    return (r) => {
      const raw = read(r);
      return !isPresent(raw) || anyValue(raw, differs);
    };
  }
  if (sub) return (r) => anySub(read(r), sub, test);
  return (r) => anyValue(read(r), test);
}

function compile(node: FilterNode, scope: Scope, depth = 0): FilterPredicate {
  if (depth > FILTER_LIMITS.hardMaxDepth) throw tooDeep();
  switch (node.kind) {
    case 'compare':
      return compileCompare(node, scope);
    case 'present': {
      const { read, sub } = leafFor(node.path, scope, null, true);
      if (sub) return (r) => anySub(read(r), sub, isPresent);
      return (r) => isPresent(read(r));
    }
    case 'and': {
      const parts = node.filters.map((f) => compile(f, scope, depth + 1));
      if (parts.length === 2) {
        const [a, b] = parts as [FilterPredicate, FilterPredicate];
        return (r) => a(r) && b(r);
      }
      return (r) => {
        for (const p of parts) if (!p(r)) return false;
        return true;
      };
    }
    case 'or': {
      const parts = node.filters.map((f) => compile(f, scope, depth + 1));
      if (parts.length === 2) {
        const [a, b] = parts as [FilterPredicate, FilterPredicate];
        return (r) => a(r) || b(r);
      }
      return (r) => {
        for (const p of parts) if (p(r)) return true;
        return false;
      };
    }
    case 'not': {
      const inner = compile(node.filter, scope, depth + 1);
      return (r) => !inner(r);
    }
    case 'valuePath': {
      let read: Getter;
      let parent: AttributeDefinition | undefined;
      if (scope.kind === 'resource') {
        const leaf = leafFor(node.path, scope, null, true);
        const resolved = scope.context.schema.resolve(scope.context.resourceType, node.path);
        parent = resolved?.subAttribute ?? resolved?.attribute;
        read = leaf.sub
          ? (r) => {
              const raw = leaf.read(r);
              return Array.isArray(raw) ? raw.map((e) => leaf.sub!(e)) : leaf.sub!(raw);
            }
          : leaf.read;
      } else {
        parent = findSub(scope.parent, node.path.attribute);
        read = leafFor(node.path, scope, null, true).read;
      }
      const inner = compile(node.filter, { kind: 'element', parent }, depth + 1);
      // Built once here, not per resource.
      const elementMatches: ValueTest = (element) =>
        element !== undefined && element !== null && inner(element);
      return (r) => anyValue(read(r), elementMatches);
    }
    default:
      throw new ScimFilterError(
        'INVALID_FILTER_NODE',
        `Unknown filter node ${JSON.stringify((node as { kind?: unknown }).kind)}`,
        -1,
      );
  }
}

/**
 * Resolves a filter against a schema once and returns a predicate over resources.
 * @throws ScimFilterError OPERATOR_TYPE_MISMATCH for gt/ge/lt/le on boolean or binary attributes.
 */
export function compileFilter(node: FilterNode, context: MatchContext): FilterPredicate {
  return compile(node, { kind: 'resource', context });
}

const cache = new WeakMap<FilterNode, WeakMap<SchemaModel, Map<string, FilterPredicate>>>();

/** matchFilter(node, resource, { schema, resourceType }): does the resource match? Compiles once per node and context. */
export function matchFilter(node: FilterNode, resource: object, context: MatchContext): boolean {
  let bySchema = cache.get(node);
  if (bySchema === undefined) {
    bySchema = new WeakMap();
    cache.set(node, bySchema);
  }
  let byType = bySchema.get(context.schema);
  if (byType === undefined) {
    byType = new Map();
    bySchema.set(context.schema, byType);
  }
  let predicate = byType.get(context.resourceType);
  if (predicate === undefined) {
    predicate = compileFilter(node, context);
    byType.set(context.resourceType, predicate);
  }
  return predicate(resource);
}
