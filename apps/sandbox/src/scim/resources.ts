// Shapes and constants of the SCIM resources the sandbox stores. Resources are kept as
// plain SCIM JSON (what a client would receive, minus `$ref`/`location`, which depend on
// the URL the sandbox listens on and are added on the way out).

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export type ResourceTypeName = 'User' | 'Group';

export interface Meta {
  resourceType: ResourceTypeName;
  created: string;
  lastModified: string;
  version: string;
  location?: string;
}

export interface MultiValue {
  value: string;
  type?: string;
  primary?: boolean;
  display?: string;
}

export interface GroupRef {
  value: string;
  display: string;
  type: 'direct';
}

export interface MemberRef {
  value: string;
  display: string;
  type: 'User' | 'Group';
}

export interface EnterpriseData {
  employeeNumber?: string;
  costCenter?: string;
  organization?: string;
  division?: string;
  department?: string;
  manager?: { value: string; displayName?: string };
}

export interface ScimUser {
  schemas: string[];
  id: string;
  externalId?: string;
  userName: string;
  name?: {
    formatted?: string;
    familyName?: string;
    givenName?: string;
    middleName?: string;
    honorificPrefix?: string;
  };
  displayName?: string;
  nickName?: string;
  title?: string;
  userType?: string;
  preferredLanguage?: string;
  locale?: string;
  timezone?: string;
  active?: boolean;
  emails?: MultiValue[];
  phoneNumbers?: MultiValue[];
  addresses?: Record<string, unknown>[];
  groups?: GroupRef[];
  [ENTERPRISE_SCHEMA]?: EnterpriseData;
  meta: Meta;
  [key: string]: unknown;
}

export interface ScimGroup {
  schemas: string[];
  id: string;
  externalId?: string;
  displayName: string;
  members: MemberRef[];
  meta: Meta;
  [key: string]: unknown;
}

export type ScimResource = ScimUser | ScimGroup;

/** FNV-1a 32-bit: a cheap, stable hash for weak ETags. */
export function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

export function weakEtag(seed: string): string {
  return `W/"${fnv1a(seed)}"`;
}
