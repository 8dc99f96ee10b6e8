// Attribute lookup over a set of schemas and resource types. Lookups are
// case-insensitive (RFC 7643 §2.1) and answered from an index built once per
// resource type, so callers can resolve paths in hot loops.

import type { AttributePath } from '../filter/ast.ts';
import { parseAttributePath } from '../filter/parser.ts';
import { COMMON_ATTRIBUTES, CORE_RESOURCE_TYPES, CORE_SCHEMAS } from './core-schemas.ts';
import type {
  AttributeDefinition,
  ResourceTypeDefinition,
  SchemaDefinition,
} from './schema.types.ts';

export interface ResolvedAttribute {
  /** URN of the schema that defines the attribute (the core schema for common attributes such as `id`). */
  readonly schema: string;
  readonly attribute: AttributeDefinition;
  readonly subAttribute?: AttributeDefinition;
  /** The path with the schema's spelling: `name.familyName`, or URN-qualified for extension attributes. */
  readonly canonicalPath: string;
  /** True when the attribute belongs to a schema extension, i.e. lives under its URN key in a resource. */
  readonly extension: boolean;
  /** True for RFC 7643 §3.1 common attributes (id, externalId, meta, schemas). */
  readonly common: boolean;
}

export interface FlatAttribute {
  readonly schema: string;
  /** Canonical path, as in ResolvedAttribute.canonicalPath. */
  readonly path: string;
  readonly definition: AttributeDefinition;
  /** The complex attribute this is a sub-attribute of. */
  readonly parent?: AttributeDefinition;
  readonly extension: boolean;
}

export interface SchemaModel {
  readonly schemas: readonly SchemaDefinition[];
  readonly resourceTypes: readonly ResourceTypeDefinition[];
  /** Schema by URN, case-insensitively. */
  schema(id: string): SchemaDefinition | undefined;
  /** Resource type by name, id or endpoint (`User`, `users`, `/Users`), case-insensitively. */
  resourceType(nameOrEndpoint: string): ResourceTypeDefinition | undefined;
  /** The core schema and the extensions of a resource type. */
  schemasOf(resourceType: string): readonly SchemaDefinition[];
  /**
   * Looks an attribute path up for a resource type. Unqualified names are looked up
   * in the core schema, then the common attributes, then the extensions.
   */
  resolve(resourceType: string, path: AttributePath | string): ResolvedAttribute | undefined;
  /** Every attribute and sub-attribute of a resource type, flattened, in schema order. */
  attributesOf(resourceType: string): readonly FlatAttribute[];
  /** The closest known path to a misspelt one ("did you mean"), or undefined. */
  suggest(resourceType: string, path: AttributePath | string): string | undefined;
}

interface TypeIndex {
  readonly byKey: Map<string, ResolvedAttribute>;
  readonly flat: readonly FlatAttribute[];
  readonly schemas: readonly SchemaDefinition[];
}

function pathKey(path: AttributePath): string {
  let key = path.attribute;
  if (path.subAttribute !== undefined) key += `.${path.subAttribute}`;
  if (path.uri !== undefined) key = `${path.uri}:${key}`;
  return key.toLowerCase();
}

class SchemaModelImpl implements SchemaModel {
  readonly schemas: readonly SchemaDefinition[];
  readonly resourceTypes: readonly ResourceTypeDefinition[];
  private readonly schemaById = new Map<string, SchemaDefinition>();
  private readonly indexes = new Map<ResourceTypeDefinition, TypeIndex>();

  constructor(
    schemas: readonly SchemaDefinition[],
    resourceTypes: readonly ResourceTypeDefinition[],
  ) {
    this.schemas = Object.freeze(schemas.slice());
    this.resourceTypes = Object.freeze(resourceTypes.slice());
    for (const schema of schemas) this.schemaById.set(schema.id.toLowerCase(), schema);
  }

  schema(id: string): SchemaDefinition | undefined {
    return this.schemaById.get(id.toLowerCase());
  }

  resourceType(nameOrEndpoint: string): ResourceTypeDefinition | undefined {
    const wanted = nameOrEndpoint.toLowerCase().replace(/^\/+/, '');
    return this.resourceTypes.find(
      (rt) =>
        rt.name.toLowerCase() === wanted ||
        rt.id.toLowerCase() === wanted ||
        rt.endpoint.toLowerCase().replace(/^\/+/, '') === wanted,
    );
  }

  schemasOf(resourceType: string): readonly SchemaDefinition[] {
    return this.index(resourceType)?.schemas ?? [];
  }

  resolve(resourceType: string, path: AttributePath | string): ResolvedAttribute | undefined {
    const index = this.index(resourceType);
    if (index === undefined) return undefined;
    let parsed: AttributePath;
    if (typeof path === 'string') {
      try {
        parsed = parseAttributePath(path);
      } catch (_error) {
        return undefined;
      }
    } else {
      parsed = path;
    }
    return index.byKey.get(pathKey(parsed));
  }

  attributesOf(resourceType: string): readonly FlatAttribute[] {
    return this.index(resourceType)?.flat ?? [];
  }

  suggest(resourceType: string, path: AttributePath | string): string | undefined {
    const index = this.index(resourceType);
    if (index === undefined) return undefined;
    const wanted = (typeof path === 'string' ? path : pathKey(path)).toLowerCase();
    let best: string | undefined;
    let bestDistance = Math.max(2, Math.floor(wanted.length / 3)) + 1;
    for (const flat of index.flat) {
      for (const candidate of [flat.path, shortPath(flat)]) {
        const distance = editDistance(wanted, candidate.toLowerCase(), bestDistance);
        if (distance < bestDistance) {
          bestDistance = distance;
          best = flat.path;
        }
      }
    }
    return best;
  }

  private index(resourceType: string): TypeIndex | undefined {
    const rt = this.resourceType(resourceType);
    if (rt === undefined) return undefined;
    let index = this.indexes.get(rt);
    if (index === undefined) {
      index = this.buildIndex(rt);
      this.indexes.set(rt, index);
    }
    return index;
  }

  private buildIndex(rt: ResourceTypeDefinition): TypeIndex {
    const byKey = new Map<string, ResolvedAttribute>();
    const flat: FlatAttribute[] = [];
    const core = this.schema(rt.schema);
    const schemas: SchemaDefinition[] = core ? [core] : [];
    const coreUri = core?.id ?? rt.schema;

    const add = (
      schemaId: string,
      attribute: AttributeDefinition,
      extension: boolean,
      common: boolean,
      qualifiedKeysOnly: boolean,
    ) => {
      const base = extension ? `${schemaId}:${attribute.name}` : attribute.name;
      const entry: ResolvedAttribute = Object.freeze({
        schema: schemaId,
        attribute,
        canonicalPath: base,
        extension,
        common,
      });
      const shortKey = attribute.name.toLowerCase();
      const longKey = `${schemaId}:${attribute.name}`.toLowerCase();
      if (!byKey.has(longKey)) byKey.set(longKey, entry);
      if (!qualifiedKeysOnly && !byKey.has(shortKey)) byKey.set(shortKey, entry);
      flat.push(Object.freeze({ schema: schemaId, path: base, definition: attribute, extension }));
      for (const sub of attribute.subAttributes ?? []) {
        const subEntry: ResolvedAttribute = Object.freeze({
          schema: schemaId,
          attribute,
          subAttribute: sub,
          canonicalPath: `${base}.${sub.name}`,
          extension,
          common,
        });
        const subShort = `${shortKey}.${sub.name.toLowerCase()}`;
        const subLong = `${longKey}.${sub.name.toLowerCase()}`;
        if (!byKey.has(subLong)) byKey.set(subLong, subEntry);
        if (!qualifiedKeysOnly && !byKey.has(subShort)) byKey.set(subShort, subEntry);
        flat.push(
          Object.freeze({
            schema: schemaId,
            path: `${base}.${sub.name}`,
            definition: sub,
            parent: attribute,
            extension,
          }),
        );
      }
    };

    for (const attribute of core?.attributes ?? []) add(coreUri, attribute, false, false, false);
    for (const attribute of COMMON_ATTRIBUTES) add(coreUri, attribute, false, true, false);
    for (const ext of rt.schemaExtensions) {
      const schema = this.schema(ext.schema);
      if (schema === undefined) continue;
      schemas.push(schema);
      // Extension attributes also answer to their bare name when the core schema
      // does not use it (servers commonly accept `employeeNumber`).
      for (const attribute of schema.attributes) add(schema.id, attribute, true, false, false);
    }
    return { byKey, flat: Object.freeze(flat), schemas: Object.freeze(schemas) };
  }
}

function shortPath(flat: FlatAttribute): string {
  if (!flat.extension) return flat.path;
  return flat.path.slice(flat.schema.length + 1);
}

/** The candidate closest to `wanted` (ignoring case) within a small edit distance, or undefined. */
export function closestName(wanted: string, candidates: readonly string[]): string | undefined {
  const lower = wanted.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(lower.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase(), bestDistance);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  return best;
}

/** Levenshtein distance, giving up (returning `limit`) once it cannot be below `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(value);
      if (value < rowMin) rowMin = value;
    }
    if (rowMin >= limit) return limit;
    previous = current;
  }
  return previous[b.length]!;
}

export function createSchemaModel(
  schemas: readonly SchemaDefinition[],
  resourceTypes: readonly ResourceTypeDefinition[],
): SchemaModel {
  return new SchemaModelImpl(schemas, resourceTypes);
}

let coreModel: SchemaModel | undefined;

/** RFC 7643 User (with the Enterprise extension) and Group. Shared instance: models are immutable. */
export function coreSchemaModel(): SchemaModel {
  coreModel ??= createSchemaModel(
    [CORE_SCHEMAS.user, CORE_SCHEMAS.group, CORE_SCHEMAS.enterpriseUser],
    CORE_RESOURCE_TYPES,
  );
  return coreModel;
}
