// A User resource type as /api/query-options describes it (trimmed), for builder tests.
import type { AttributeOption, QueryOptions, ResourceTypeOption } from '../../../api/query-options';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const STR = [
  'eq',
  'ne',
  'co',
  'sw',
  'ew',
  'gt',
  'ge',
  'lt',
  'le',
  'pr',
] as AttributeOption['operators'];

const attr = (
  path: string,
  type: AttributeOption['type'],
  extra: Partial<AttributeOption> = {},
): AttributeOption => ({
  path,
  label: path,
  schema: CORE,
  type,
  multiValued: false,
  caseExact: false,
  returned: 'default',
  mutability: 'readWrite',
  canonicalValues: null,
  description: null,
  operators: type === 'boolean' ? ['eq', 'ne', 'pr'] : type === 'complex' ? ['pr'] : STR,
  subAttributes: null,
  ...extra,
});

export const userType: ResourceTypeOption = {
  id: 'User',
  name: 'User',
  endpoint: '/Users',
  schema: CORE,
  schemaExtensions: [{ schema: ENT, required: false }],
  attributes: [
    attr('userName', 'string', { label: 'User name' }),
    attr('active', 'boolean', { label: 'Active' }),
    attr('name', 'complex', {
      label: 'Name',
      subAttributes: [
        attr('givenName', 'string', { label: 'Given name' }),
        attr('familyName', 'string', { label: 'Family name' }),
      ],
    }),
    attr('emails', 'complex', {
      label: 'Emails',
      multiValued: true,
      operators: ['eq', 'co', 'sw', 'ew', 'pr'],
      subAttributes: [
        attr('value', 'string', { label: 'Value' }),
        attr('type', 'string', { label: 'Type', canonicalValues: ['work', 'home', 'other'] }),
        attr('primary', 'boolean', { label: 'Primary' }),
      ],
    }),
    attr('meta', 'complex', {
      label: 'Meta',
      subAttributes: [attr('lastModified', 'dateTime', { label: 'Last modified' })],
    }),
    attr(`${ENT}:department`, 'string', { label: 'Department', schema: ENT }),
    attr(`${ENT}:employeeNumber`, 'string', { label: 'Employee number', schema: ENT }),
  ],
};

export const queryOptions = (connectionId = 'c1'): QueryOptions => ({
  connectionId,
  vendor: {
    id: 'generic',
    name: 'Generic SCIM 2.0',
    operators: ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'],
    presence: true,
    logical: { and: true, or: true, not: true },
    valuePaths: true,
    notes: [],
  },
  source: 'discovered',
  discoveryError: null,
  capabilities: {
    filter: true,
    maxResults: 200,
    sort: true,
    etag: false,
    search: true,
    indexPaging: true,
    cursorPaging: false,
    maxPageSize: 200,
  },
  resourceTypes: [userType],
  presets: [
    {
      id: 'inactive-users',
      name: 'Inactive users',
      description: 'Users with active = false',
      resourceType: 'User',
      parameters: [],
    },
    {
      id: 'users-in-department',
      name: 'Users in a department',
      description: 'Users whose enterprise department equals a value',
      resourceType: 'User',
      parameters: [{ name: 'department', label: 'Department', type: 'department', required: true }],
    },
  ],
});
