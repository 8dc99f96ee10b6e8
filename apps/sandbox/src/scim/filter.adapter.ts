// The one place the sandbox touches @scim-console/scim: RFC 7644 filter parsing and
// evaluation (case rules from the schema's caseExact, extension attributes, value paths),
// which SCIMMY's own matcher gets wrong (case-sensitive, misses nested extensions).
import {
  compileFilter as compileScimFilter,
  coreSchemaModel,
  parseAttributePath,
  parseFilter,
  ScimFilterError,
  type AttributePath,
  type FilterNode,
} from '@scim-console/scim';
import type { ResourceTypeName, ScimResource } from './resources.ts';
import { ScimHttpError } from './scim-error.ts';

const model = coreSchemaModel();

export type ResourcePredicate = (resource: ScimResource) => boolean;

export interface CompiledFilter {
  readonly predicate: ResourcePredicate;
  /**
   * An `id eq "…"` or `userName eq "…"` that every match must satisfy (top level or inside
   * a top-level `and`), so lookups by key skip the full scan of a 100k directory.
   */
  readonly key?: { readonly attribute: 'id' | 'userName'; readonly value: string };
}

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:user';

function keyOf(node: FilterNode): CompiledFilter['key'] {
  if (node.kind === 'and') {
    for (const child of node.filters) {
      const key = keyOf(child);
      if (key) return key;
    }
    return undefined;
  }
  if (
    node.kind !== 'compare' ||
    node.op !== 'eq' ||
    typeof node.value !== 'string' ||
    node.path.subAttribute
  )
    return undefined;
  if (node.path.uri && node.path.uri.toLowerCase() !== CORE_USER) return undefined;
  const attribute = node.path.attribute.toLowerCase();
  if (attribute === 'id') return { attribute: 'id', value: node.value };
  if (attribute === 'username') return { attribute: 'userName', value: node.value };
  return undefined;
}

/** Parse filter text into a predicate; bad text → 400 invalidFilter naming the position. */
export function compileFilter(text: string): CompiledFilter {
  let node: FilterNode;
  try {
    node = parseFilter(text);
  } catch (error) {
    throw toScimError(error, 'filter');
  }
  // Compiled once per request (the same evaluation as matchFilter, without per-call lookups).
  const user = compileScimFilter(node, { schema: model, resourceType: 'User' });
  const group = compileScimFilter(node, { schema: model, resourceType: 'Group' });
  const key = keyOf(node);
  return {
    predicate: (resource) =>
      resource.meta.resourceType === 'User' ? user(resource) : group(resource),
    ...(key ? { key } : {}),
  };
}

/** Parse a sortBy path and check it names an attribute of at least one resource type. */
export function parseSortPath(text: string, types: readonly ResourceTypeName[]): AttributePath {
  let path: AttributePath;
  try {
    path = parseAttributePath(text);
  } catch (error) {
    throw toScimError(error, 'sortBy');
  }
  if (!types.some((type) => model.resolve(type, path))) {
    throw new ScimHttpError(
      400,
      'invalidPath',
      `sortBy "${text}" is not an attribute of ${types.join(' or ')}`,
    );
  }
  return path;
}

/** Whether the attribute (or sub-attribute) at `path` compares case-exactly. */
export function isCaseExact(type: ResourceTypeName, path: AttributePath): boolean {
  const resolved = model.resolve(type, path);
  if (!resolved) return false;
  return (resolved.subAttribute ?? resolved.attribute).caseExact;
}

function toScimError(error: unknown, what: string): ScimHttpError {
  if (error instanceof ScimFilterError) {
    const at = error.position >= 0 ? ` (at character ${error.position + 1})` : '';
    return new ScimHttpError(400, error.scimType, `Invalid ${what}: ${error.message}${at}`);
  }
  return new ScimHttpError(
    400,
    what === 'filter' ? 'invalidFilter' : 'invalidPath',
    `Invalid ${what}`,
  );
}

/** Parse one `attributes` / `excludedAttributes` entry. */
export function parseProjectionPath(text: string): AttributePath {
  try {
    return parseAttributePath(text);
  } catch (error) {
    throw toScimError(error, 'attribute name');
  }
}
