// RFC 7643 §7 schema definitions as TypeScript types.

export type AttributeType =
  'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'binary' | 'reference' | 'complex';
export const ATTRIBUTE_TYPES: readonly AttributeType[] = [
  'string',
  'boolean',
  'decimal',
  'integer',
  'dateTime',
  'binary',
  'reference',
  'complex',
];

export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';
export type Uniqueness = 'none' | 'server' | 'global';

export interface AttributeDefinition {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: Mutability;
  readonly returned: Returned;
  readonly uniqueness: Uniqueness;
  readonly description?: string;
  readonly canonicalValues?: readonly string[];
  readonly referenceTypes?: readonly string[];
  readonly subAttributes?: readonly AttributeDefinition[];
}

export interface SchemaDefinition {
  /** The schema URN, e.g. `urn:ietf:params:scim:schemas:core:2.0:User`. */
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly attributes: readonly AttributeDefinition[];
}

export interface SchemaExtensionReference {
  readonly schema: string;
  readonly required: boolean;
}

export interface ResourceTypeDefinition {
  readonly id: string;
  readonly name: string;
  /** Relative endpoint, e.g. `/Users`. */
  readonly endpoint: string;
  readonly description?: string;
  /** URN of the resource type's core schema. */
  readonly schema: string;
  readonly schemaExtensions: readonly SchemaExtensionReference[];
}
