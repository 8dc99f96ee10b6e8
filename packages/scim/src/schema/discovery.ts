// Turns the bodies of GET /Schemas and GET /ResourceTypes (RFC 7644 §4) into a
// SchemaModel. Real servers vary: both a ListResponse and a bare array are
// accepted, characteristics missing from an attribute get the RFC 7643 §7
// defaults, and enum-like values are matched case-insensitively. What cannot be
// used at all (no attribute name, no endpoint) is a ScimResponseError naming the field.

import { ScimResponseError } from '../errors.ts';
import { CORE_SCHEMAS } from './core-schemas.ts';
import { createSchemaModel, type SchemaModel } from './schema-model.ts';
import {
  ATTRIBUTE_TYPES,
  type AttributeDefinition,
  type AttributeType,
  type Mutability,
  type ResourceTypeDefinition,
  type Returned,
  type SchemaDefinition,
  type Uniqueness,
} from './schema.types.ts';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The resources of a ListResponse, a bare array, or a single resource. */
function resourcesOf(body: unknown, what: string): unknown[] {
  if (Array.isArray(body)) return body;
  if (isObject(body)) {
    const resources = body.Resources ?? body.resources;
    if (Array.isArray(resources)) return resources;
    if (body.id !== undefined) return [body];
    if (body.totalResults !== undefined) return [];
  }
  throw new ScimResponseError(
    'NOT_A_LIST_RESPONSE',
    `The ${what} response is neither a ListResponse nor an array`,
  );
}

function pick<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  if (typeof value !== 'string') return fallback;
  const lower = value.toLowerCase();
  return allowed.find((a) => a.toLowerCase() === lower) ?? fallback;
}

function bool(value: unknown, fallback: boolean): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return fallback;
}

function strings(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((v) => typeof v === 'string' || typeof v === 'number').map(String);
}

function parseAttribute(raw: unknown, field: string): AttributeDefinition {
  if (!isObject(raw) || typeof raw.name !== 'string' || raw.name.length === 0) {
    throw new ScimResponseError(
      'INVALID_SCHEMA',
      `Attribute at ${field} has no name`,
      `${field}.name`,
    );
  }
  const type: AttributeType = pick(raw.type, ATTRIBUTE_TYPES, 'string');
  const canonicalValues = strings(raw.canonicalValues);
  const referenceTypes = strings(raw.referenceTypes);
  const subs = Array.isArray(raw.subAttributes)
    ? raw.subAttributes.map((sub, i) => parseAttribute(sub, `${field}.subAttributes[${i}]`))
    : undefined;
  return Object.freeze({
    name: raw.name,
    type: subs && subs.length > 0 ? 'complex' : type,
    multiValued: bool(raw.multiValued, false),
    required: bool(raw.required, false),
    caseExact: bool(raw.caseExact, false),
    mutability: pick<Mutability>(
      raw.mutability,
      ['readOnly', 'readWrite', 'immutable', 'writeOnly'],
      'readWrite',
    ),
    returned: pick<Returned>(raw.returned, ['always', 'never', 'default', 'request'], 'default'),
    uniqueness: pick<Uniqueness>(raw.uniqueness, ['none', 'server', 'global'], 'none'),
    ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
    ...(canonicalValues && canonicalValues.length > 0
      ? { canonicalValues: Object.freeze(canonicalValues) }
      : {}),
    ...(referenceTypes && referenceTypes.length > 0
      ? { referenceTypes: Object.freeze(referenceTypes) }
      : {}),
    ...(subs && subs.length > 0 ? { subAttributes: Object.freeze(subs) } : {}),
  });
}

/** Reads one schema resource (RFC 7643 §7). */
export function parseSchemaDefinition(raw: unknown, field = 'schema'): SchemaDefinition {
  if (!isObject(raw) || typeof raw.id !== 'string' || raw.id.length === 0) {
    throw new ScimResponseError('INVALID_SCHEMA', `Schema at ${field} has no id`, `${field}.id`);
  }
  const attributes = Array.isArray(raw.attributes)
    ? raw.attributes.map((a, i) => parseAttribute(a, `${field}.attributes[${i}]`))
    : [];
  return Object.freeze({
    id: raw.id,
    name: typeof raw.name === 'string' ? raw.name : raw.id.slice(raw.id.lastIndexOf(':') + 1),
    ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
    attributes: Object.freeze(attributes),
  });
}

/** Reads one resource type (RFC 7643 §6). */
export function parseResourceTypeDefinition(
  raw: unknown,
  field = 'resourceType',
): ResourceTypeDefinition {
  if (!isObject(raw))
    throw new ScimResponseError(
      'INVALID_SCHEMA',
      `Resource type at ${field} is not an object`,
      field,
    );
  const name =
    typeof raw.name === 'string' ? raw.name : typeof raw.id === 'string' ? raw.id : undefined;
  if (name === undefined)
    throw new ScimResponseError(
      'INVALID_SCHEMA',
      `Resource type at ${field} has no name`,
      `${field}.name`,
    );
  if (typeof raw.endpoint !== 'string' || raw.endpoint.length === 0) {
    throw new ScimResponseError(
      'INVALID_SCHEMA',
      `Resource type ${name} has no endpoint`,
      `${field}.endpoint`,
    );
  }
  if (typeof raw.schema !== 'string') {
    throw new ScimResponseError(
      'INVALID_SCHEMA',
      `Resource type ${name} has no schema`,
      `${field}.schema`,
    );
  }
  const extensions = Array.isArray(raw.schemaExtensions) ? raw.schemaExtensions : [];
  const endpoint = raw.endpoint.startsWith('/') ? raw.endpoint : `/${raw.endpoint}`;
  return Object.freeze({
    id: typeof raw.id === 'string' ? raw.id : name,
    name,
    endpoint,
    ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
    schema: raw.schema,
    schemaExtensions: Object.freeze(
      extensions
        .filter((e): e is Json => isObject(e) && typeof e.schema === 'string')
        .map((e) =>
          Object.freeze({ schema: e.schema as string, required: bool(e.required, false) }),
        ),
    ),
  });
}

const KNOWN_SCHEMAS = [CORE_SCHEMAS.user, CORE_SCHEMAS.group, CORE_SCHEMAS.enterpriseUser];

/**
 * A SchemaModel from the bodies of GET /Schemas and GET /ResourceTypes. A schema a
 * resource type names but /Schemas does not list is filled in from the RFC core
 * schemas when it is one of them (many servers serve a partial /Schemas).
 * @throws ScimResponseError when a body cannot be read.
 */
export function schemaModelFromDiscovery(
  schemasResponse: unknown,
  resourceTypesResponse: unknown,
): SchemaModel {
  const schemas = resourcesOf(schemasResponse, '/Schemas').map((s, i) =>
    parseSchemaDefinition(s, `Resources[${i}]`),
  );
  const resourceTypes = resourcesOf(resourceTypesResponse, '/ResourceTypes').map((r, i) =>
    parseResourceTypeDefinition(r, `Resources[${i}]`),
  );
  const have = new Set(schemas.map((s) => s.id.toLowerCase()));
  for (const rt of resourceTypes) {
    for (const urn of [rt.schema, ...rt.schemaExtensions.map((e) => e.schema)]) {
      const known = KNOWN_SCHEMAS.find((s) => s.id.toLowerCase() === urn.toLowerCase());
      if (known && !have.has(urn.toLowerCase())) {
        schemas.push(known);
        have.add(urn.toLowerCase());
      }
    }
  }
  return createSchemaModel(schemas, resourceTypes);
}
