// Turns a resource type's attributes (from /api/query-options) into the builder's
// field list: one field per filterable attribute and sub-attribute, with the
// operators, value editor and choices that fit its type.
import type { Field, FullOperator } from 'react-querybuilder';
import type {
  AttributeOperator,
  AttributeOption,
  AttributeType,
  ResourceTypeOption,
} from '../../../api/query-options';

export const OPERATOR_LABELS: Record<AttributeOperator, string> = {
  eq: 'equals',
  ne: 'does not equal',
  co: 'contains',
  sw: 'starts with',
  ew: 'ends with',
  gt: 'greater than',
  ge: 'greater or equal',
  lt: 'less than',
  le: 'less or equal',
  pr: 'has a value',
};

const DATE_OPERATOR_LABELS: Partial<Record<AttributeOperator, string>> = {
  gt: 'after',
  ge: 'on or after',
  lt: 'before',
  le: 'on or before',
};

export interface ScimField extends Field {
  name: string;
  label: string;
  scimType: AttributeType;
  multiValued: boolean;
  /** A complex multi-valued attribute (emails, members…): can hold a value filter `emails[…]`. */
  valuePathable: boolean;
  /** Set on sub-attributes: the attribute they belong to (e.g. 'emails' for 'emails.type'). */
  parent?: string;
  canonicalValues: string[] | null;
  description: string | null;
  schema: string;
}

function operatorsFor(attr: AttributeOption): FullOperator[] {
  return attr.operators.map((op) => ({
    name: op,
    value: op,
    label: (attr.type === 'dateTime' ? DATE_OPERATOR_LABELS[op] : undefined) ?? OPERATOR_LABELS[op],
    ...(op === 'pr' ? { arity: 'unary' as const } : {}),
  }));
}

function editorFor(attr: AttributeOption): Partial<Field> {
  if (attr.type === 'boolean') {
    return {
      valueEditorType: 'select',
      values: [
        { name: 'true', value: 'true', label: 'true' },
        { name: 'false', value: 'false', label: 'false' },
      ],
      defaultValue: 'true',
    };
  }
  if (attr.canonicalValues && attr.canonicalValues.length > 0) {
    return {
      valueEditorType: 'select',
      values: attr.canonicalValues.map((v) => ({ name: v, value: v, label: v })),
      defaultValue: attr.canonicalValues[0],
    };
  }
  if (attr.type === 'integer' || attr.type === 'decimal') return { inputType: 'number' };
  return {};
}

function toField(
  attr: AttributeOption,
  name: string,
  label: string,
  parent: AttributeOption | null,
): ScimField {
  const ops = operatorsFor(attr);
  return {
    name,
    value: name,
    label,
    operators: ops,
    defaultOperator: ops.some((o) => o.name === 'eq') ? 'eq' : ops[0]?.name,
    ...editorFor(attr),
    scimType: attr.type,
    multiValued: attr.multiValued,
    valuePathable:
      parent === null &&
      attr.type === 'complex' &&
      attr.multiValued &&
      Boolean(attr.subAttributes?.length),
    parent: parent ? parent.path : undefined,
    canonicalValues: attr.canonicalValues,
    description: attr.description,
    schema: attr.schema,
  };
}

const EXTENSION_LABEL = /:([^:]+):2\.0:(\w+)$/;

/** A short label for an extension schema: 'Enterprise' for urn:…:extension:enterprise:2.0:User. */
function schemaLabel(schema: string, coreSchema: string): string | null {
  if (schema === coreSchema) return null;
  const m = EXTENSION_LABEL.exec(schema);
  const name = m?.[1] ?? schema.split(':').at(-1) ?? schema;
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** Every field the builder offers for a resource type (attributes that can be filtered on). */
export function buildFields(resourceType: ResourceTypeOption): ScimField[] {
  const fields: ScimField[] = [];
  for (const attr of resourceType.attributes) {
    const ext = schemaLabel(attr.schema, resourceType.schema);
    const label = ext ? `${attr.label} (${ext})` : attr.label;
    const subs = attr.subAttributes ?? [];
    // A complex attribute is filtered through its sub-attributes; a multi-valued one
    // also by itself (`emails co "x"` compares the primary value, `emails pr`).
    if (attr.type !== 'complex' || attr.multiValued) {
      if (attr.operators.length > 0) fields.push(toField(attr, attr.path, label, null));
    }
    for (const sub of subs) {
      if (sub.operators.length === 0) continue;
      // The console already labels sub-attributes "Parent › Sub"; older answers give just "Sub".
      const subLabel = sub.label.includes('›')
        ? ext
          ? `${sub.label} (${ext})`
          : sub.label
        : `${label} › ${sub.label}`;
      fields.push(toField(sub, `${attr.path}.${sub.path}`, subLabel, attr));
    }
  }
  return fields;
}

/** Complex multi-valued attributes whose values can be filtered as a group (`emails[…]`). */
export function valuePathAttributes(fields: ScimField[]): ScimField[] {
  return fields.filter((f) => f.valuePathable);
}

export function fieldMap(fields: ScimField[]): Map<string, ScimField> {
  return new Map(fields.map((f) => [f.name, f]));
}

/** Every returnable attribute path (for attributes / excludedAttributes / sortBy pickers). */
export function attributePaths(
  resourceType: ResourceTypeOption,
): { path: string; label: string; sortable: boolean }[] {
  const out: { path: string; label: string; sortable: boolean }[] = [];
  for (const attr of resourceType.attributes) {
    const ext = schemaLabel(attr.schema, resourceType.schema);
    const label = ext ? `${attr.label} (${ext})` : attr.label;
    out.push({ path: attr.path, label, sortable: attr.type !== 'complex' });
    for (const sub of attr.subAttributes ?? []) {
      out.push({
        path: `${attr.path}.${sub.path}`,
        label: `${label} › ${sub.label}`,
        sortable: sub.type !== 'complex',
      });
    }
  }
  return out;
}
