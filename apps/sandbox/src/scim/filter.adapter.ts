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

/** Parse filter text into a predicate; bad text → 400 invalidFilter naming the position. */
export function compileFilter(text: string): ResourcePredicate {
  let node: FilterNode;
  try {
    node = parseFilter(text);
  } catch (error) {
    throw toScimError(error, 'filter');
  }
  // Compiled once per request (the same evaluation as matchFilter, without per-call lookups).
  const user = compileScimFilter(node, { schema: model, resourceType: 'User' });
  const group = compileScimFilter(node, { schema: model, resourceType: 'Group' });
  return (resource) => (resource.meta.resourceType === 'User' ? user(resource) : group(resource));
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
