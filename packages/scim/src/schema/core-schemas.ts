// RFC 7643 core schemas as data: User and Group (§4, §8.7.1), the Enterprise User
// extension (§4.3, §8.7.1), the common attributes every resource has (§3.1) and
// the User and Group resource types (§6, §8.6).

import type {
  AttributeDefinition,
  AttributeType,
  Mutability,
  ResourceTypeDefinition,
  Returned,
  SchemaDefinition,
  Uniqueness,
} from './schema.types.ts';

export const SCHEMA_URNS = Object.freeze({
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  enterpriseUser: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  searchRequest: 'urn:ietf:params:scim:api:messages:2.0:SearchRequest',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  bulkRequest: 'urn:ietf:params:scim:api:messages:2.0:BulkRequest',
  bulkResponse: 'urn:ietf:params:scim:api:messages:2.0:BulkResponse',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
});

interface AttributeOptions {
  multiValued?: boolean;
  required?: boolean;
  caseExact?: boolean;
  mutability?: Mutability;
  returned?: Returned;
  uniqueness?: Uniqueness;
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttributeDefinition[];
  description?: string;
}

/** An attribute with the RFC 7643 §7 defaults for every characteristic not given. */
export function defineAttribute(
  name: string,
  type: AttributeType,
  options: AttributeOptions = {},
): AttributeDefinition {
  const definition: AttributeDefinition = {
    name,
    type,
    multiValued: options.multiValued ?? false,
    required: options.required ?? false,
    caseExact: options.caseExact ?? false,
    mutability: options.mutability ?? 'readWrite',
    returned: options.returned ?? 'default',
    uniqueness: options.uniqueness ?? 'none',
    ...(options.description !== undefined ? { description: options.description } : {}),
    ...(options.canonicalValues !== undefined
      ? { canonicalValues: Object.freeze(options.canonicalValues) }
      : {}),
    ...(options.referenceTypes !== undefined
      ? { referenceTypes: Object.freeze(options.referenceTypes) }
      : {}),
    ...(options.subAttributes !== undefined
      ? { subAttributes: Object.freeze(options.subAttributes) }
      : {}),
  };
  return Object.freeze(definition);
}

const str = (name: string, options?: AttributeOptions) => defineAttribute(name, 'string', options);

/** The value / display / type / primary sub-attributes of RFC 7643 §2.4 multi-valued attributes. */
function multiValuedSubAttributes(
  valueType: AttributeType,
  types: string[] | undefined,
  extra: { valueReferenceTypes?: string[]; mutability?: Mutability } = {},
): AttributeDefinition[] {
  const mutability = extra.mutability ?? 'readWrite';
  return [
    defineAttribute('value', valueType, {
      mutability,
      ...(extra.valueReferenceTypes ? { referenceTypes: extra.valueReferenceTypes } : {}),
    }),
    str('display', { mutability }),
    str('type', { mutability, ...(types ? { canonicalValues: types } : {}) }),
    defineAttribute('primary', 'boolean', { mutability }),
  ];
}

/** RFC 7643 §3.1: id, externalId, meta. `schemas` (§3) is listed too so filters on it resolve. */
export const COMMON_ATTRIBUTES: readonly AttributeDefinition[] = Object.freeze([
  str('id', { caseExact: true, mutability: 'readOnly', returned: 'always', uniqueness: 'server' }),
  str('externalId', { caseExact: true }),
  defineAttribute('meta', 'complex', {
    mutability: 'readOnly',
    subAttributes: [
      str('resourceType', { caseExact: true, mutability: 'readOnly' }),
      defineAttribute('created', 'dateTime', { mutability: 'readOnly' }),
      defineAttribute('lastModified', 'dateTime', { mutability: 'readOnly' }),
      defineAttribute('location', 'reference', {
        caseExact: true,
        mutability: 'readOnly',
        referenceTypes: ['uri'],
      }),
      str('version', { caseExact: true, mutability: 'readOnly' }),
    ],
  }),
  defineAttribute('schemas', 'reference', {
    multiValued: true,
    required: true,
    returned: 'always',
    referenceTypes: ['uri'],
  }),
]);

const userSchema: SchemaDefinition = {
  id: SCHEMA_URNS.user,
  name: 'User',
  description: 'User Account',
  attributes: [
    str('userName', { required: true, uniqueness: 'server' }),
    defineAttribute('name', 'complex', {
      subAttributes: [
        str('formatted'),
        str('familyName'),
        str('givenName'),
        str('middleName'),
        str('honorificPrefix'),
        str('honorificSuffix'),
      ],
    }),
    str('displayName'),
    str('nickName'),
    defineAttribute('profileUrl', 'reference', { referenceTypes: ['external'] }),
    str('title'),
    str('userType'),
    str('preferredLanguage'),
    str('locale'),
    str('timezone'),
    defineAttribute('active', 'boolean'),
    str('password', { mutability: 'writeOnly', returned: 'never' }),
    defineAttribute('emails', 'complex', {
      multiValued: true,
      subAttributes: multiValuedSubAttributes('string', ['work', 'home', 'other']),
    }),
    defineAttribute('phoneNumbers', 'complex', {
      multiValued: true,
      subAttributes: multiValuedSubAttributes('string', [
        'work',
        'home',
        'mobile',
        'fax',
        'pager',
        'other',
      ]),
    }),
    defineAttribute('ims', 'complex', {
      multiValued: true,
      subAttributes: multiValuedSubAttributes('string', [
        'aim',
        'gtalk',
        'icq',
        'xmpp',
        'msn',
        'skype',
        'qq',
        'yahoo',
      ]),
    }),
    defineAttribute('photos', 'complex', {
      multiValued: true,
      subAttributes: multiValuedSubAttributes('reference', ['photo', 'thumbnail'], {
        valueReferenceTypes: ['external'],
      }),
    }),
    defineAttribute('addresses', 'complex', {
      multiValued: true,
      subAttributes: [
        str('formatted'),
        str('streetAddress'),
        str('locality'),
        str('region'),
        str('postalCode'),
        str('country'),
        str('type', { canonicalValues: ['work', 'home', 'other'] }),
        defineAttribute('primary', 'boolean'),
      ],
    }),
    defineAttribute('groups', 'complex', {
      multiValued: true,
      mutability: 'readOnly',
      subAttributes: [
        str('value', { mutability: 'readOnly' }),
        defineAttribute('$ref', 'reference', {
          mutability: 'readOnly',
          referenceTypes: ['User', 'Group'],
        }),
        str('display', { mutability: 'readOnly' }),
        str('type', { mutability: 'readOnly', canonicalValues: ['direct', 'indirect'] }),
      ],
    }),
    defineAttribute('entitlements', 'complex', {
      multiValued: true,
      subAttributes: multiValuedSubAttributes('string', undefined),
    }),
    defineAttribute('roles', 'complex', {
      multiValued: true,
      subAttributes: multiValuedSubAttributes('string', undefined),
    }),
    defineAttribute('x509Certificates', 'complex', {
      multiValued: true,
      subAttributes: multiValuedSubAttributes('binary', undefined),
    }),
  ],
};

const groupSchema: SchemaDefinition = {
  id: SCHEMA_URNS.group,
  name: 'Group',
  description: 'Group',
  attributes: [
    str('displayName', { required: true }),
    defineAttribute('members', 'complex', {
      multiValued: true,
      subAttributes: [
        str('value', { mutability: 'immutable' }),
        defineAttribute('$ref', 'reference', {
          mutability: 'immutable',
          referenceTypes: ['User', 'Group'],
        }),
        str('display', { mutability: 'readOnly' }),
        str('type', { mutability: 'immutable', canonicalValues: ['User', 'Group'] }),
      ],
    }),
  ],
};

const enterpriseUserSchema: SchemaDefinition = {
  id: SCHEMA_URNS.enterpriseUser,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    str('employeeNumber'),
    str('costCenter'),
    str('organization'),
    str('division'),
    str('department'),
    defineAttribute('manager', 'complex', {
      subAttributes: [
        str('value'),
        defineAttribute('$ref', 'reference', { referenceTypes: ['User'] }),
        str('displayName', { mutability: 'readOnly' }),
      ],
    }),
  ],
};

function freezeSchema(schema: SchemaDefinition): SchemaDefinition {
  return Object.freeze({ ...schema, attributes: Object.freeze(schema.attributes.slice()) });
}

export const CORE_SCHEMAS = Object.freeze({
  user: freezeSchema(userSchema),
  group: freezeSchema(groupSchema),
  enterpriseUser: freezeSchema(enterpriseUserSchema),
});

export const CORE_RESOURCE_TYPES: readonly ResourceTypeDefinition[] = Object.freeze([
  Object.freeze({
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'User Account',
    schema: SCHEMA_URNS.user,
    schemaExtensions: Object.freeze([
      Object.freeze({ schema: SCHEMA_URNS.enterpriseUser, required: false }),
    ]),
  }),
  Object.freeze({
    id: 'Group',
    name: 'Group',
    endpoint: '/Groups',
    description: 'Group',
    schema: SCHEMA_URNS.group,
    schemaExtensions: Object.freeze([]),
  }),
]);
