import {
  COMMON_ATTRIBUTES,
  type AttributeDefinition,
  type AttributeType,
  type VendorProfile,
} from '@scim-console/scim';
import { PRESETS } from '../scim-query/presets.ts';
import type { ProviderModel } from './discovery.service.ts';

export type QueryOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le' | 'pr';

/**
 * Operators that make sense per attribute type (RFC 7644 §3.4.2.2): ordering compares
 * strings lexicographically and dateTimes/numbers by value, and must fail on boolean and
 * binary; substring operators only apply to text. Intersected with what the vendor supports.
 */
export const OPERATORS_BY_TYPE: Record<AttributeType, readonly QueryOperator[]> = {
  string: ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr'],
  reference: ['eq', 'ne', 'co', 'sw', 'ew', 'pr'],
  boolean: ['eq', 'ne', 'pr'],
  binary: ['eq', 'ne', 'pr'],
  integer: ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'pr'],
  decimal: ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'pr'],
  dateTime: ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'pr'],
  complex: ['pr'],
};

export function operatorsFor(
  type: AttributeType,
  vendor: VendorProfile,
  filterable: boolean,
): QueryOperator[] {
  if (!filterable) return [];
  return OPERATORS_BY_TYPE[type].filter((op) =>
    op === 'pr' ? vendor.presence : (vendor.operators as readonly string[]).includes(op),
  );
}

export interface AttributeOption {
  path: string;
  label: string;
  schema: string;
  type: AttributeType;
  multiValued: boolean;
  caseExact: boolean;
  returned: string;
  mutability: string;
  canonicalValues: string[] | null;
  description: string | null;
  operators: QueryOperator[];
  subAttributes: AttributeOption[] | null;
}

function humanize(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
}

function toOption(
  def: AttributeDefinition,
  schema: string,
  path: string,
  vendor: VendorProfile,
  isFilterable: (path: string) => boolean,
  parentLabel?: string,
): AttributeOption {
  const label = parentLabel ? `${parentLabel} › ${humanize(def.name)}` : humanize(def.name);
  return {
    path,
    label,
    schema,
    type: def.type,
    multiValued: def.multiValued,
    caseExact: def.caseExact,
    returned: def.returned,
    mutability: def.mutability,
    canonicalValues:
      def.canonicalValues && def.canonicalValues.length > 0 ? [...def.canonicalValues] : null,
    description: def.description ?? null,
    operators: operatorsFor(def.type, vendor, isFilterable(path)),
    subAttributes:
      def.type === 'complex' && def.subAttributes && def.subAttributes.length > 0
        ? def.subAttributes.map((sub) =>
            toOption(sub, schema, sub.name, vendor, (p) => isFilterable(`${path}.${p}`), label),
          )
        : null,
  };
}

export function buildQueryOptions(connectionId: string, model: ProviderModel) {
  const { schema, vendor } = model;
  const resourceTypes = schema.resourceTypes.map((rt) => {
    const allowed = vendor.filterAttributes?.[rt.name]?.map((p) => p.toLowerCase());
    const isFilterable = (path: string) => !allowed || allowed.includes(path.toLowerCase());
    const attributes: AttributeOption[] = [];
    const seen = new Set<string>();
    const core = schema.schema(rt.schema);
    // Common attributes (id, externalId, meta) first, unless the provider's schema lists them.
    const coreNames = new Set((core?.attributes ?? []).map((a) => a.name.toLowerCase()));
    for (const def of COMMON_ATTRIBUTES) {
      if (def.name === 'schemas' || coreNames.has(def.name.toLowerCase())) continue;
      attributes.push(toOption(def, rt.schema, def.name, vendor, isFilterable));
      seen.add(def.name.toLowerCase());
    }
    for (const s of schema.schemasOf(rt.name)) {
      const extension = s.id.toLowerCase() !== rt.schema.toLowerCase();
      for (const def of s.attributes) {
        const path = extension ? `${s.id}:${def.name}` : def.name;
        if (seen.has(path.toLowerCase())) continue;
        seen.add(path.toLowerCase());
        attributes.push(toOption(def, s.id, path, vendor, isFilterable));
      }
    }
    return {
      id: rt.id || rt.name,
      name: rt.name,
      endpoint: rt.endpoint,
      schema: rt.schema,
      schemaExtensions: rt.schemaExtensions.map((e) => ({
        schema: e.schema,
        required: e.required,
      })),
      attributes,
    };
  });
  const typeNames = new Set(resourceTypes.map((r) => r.name.toLowerCase()));
  return {
    connectionId,
    vendor,
    source: model.source,
    discoveryError: model.discoveryError,
    capabilities: model.capabilities,
    resourceTypes,
    presets: PRESETS.filter((p) => typeNames.has(p.resourceType.toLowerCase())).map((p) => ({
      id: p.id,
      name: p.name,
      description: p.description,
      resourceType: p.resourceType,
      parameters: p.parameters.map((x) => ({ ...x })),
    })),
  };
}

export type QueryOptions = ReturnType<typeof buildQueryOptions>;
