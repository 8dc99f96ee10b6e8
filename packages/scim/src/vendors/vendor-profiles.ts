// What each SCIM service provider supports when queried, as data. Each profile
// cites the vendor documents it comes from (`source`). Where a vendor does not document something, the
// profile takes the conservative reading and says so in `notes`: a linter warning
// about a feature that works is cheaper than a query that silently returns nothing.

import type { CompareOperator } from '../filter/ast.ts';

export type VendorId =
  | 'generic'
  | 'okta'
  | 'entra'
  | 'aws-identity-center'
  | 'google-cloud-identity'
  | 'github-emu'
  | 'slack'
  | 'salesforce'
  | 'atlassian';

export interface VendorProfile {
  readonly id: VendorId;
  readonly name: string;
  /** The documents this profile comes from. */
  readonly source: readonly string[];
  readonly operators: readonly CompareOperator[];
  /** Whether `pr` works. */
  readonly presence: boolean;
  readonly logical: { readonly and: boolean; readonly or: boolean; readonly not: boolean };
  /** Whether `attr[filter]` value filters work. */
  readonly valuePaths: boolean;
  readonly paging: {
    readonly index: boolean;
    readonly cursor: boolean;
    /** Largest `count` the provider honours (larger values are clamped or refused). */
    readonly maxPageSize: number;
  };
  /** Whether POST /.search works. */
  readonly search: boolean;
  /** Whether `attributes` / `excludedAttributes` are honoured. */
  readonly attributeSelection: boolean;
  readonly sort: boolean;
  readonly resourceTypes: readonly string[];
  readonly notes: readonly string[];
  /** A filter is mandatory on list requests (Google answers `tooMany` without one). */
  readonly filterRequired: boolean;
  /** Most attribute expressions one filter may hold (GitHub and Google: 1); undefined = no documented limit. */
  readonly maxFilterTerms?: number;
  /** `rfc`: and binds tighter than or. `none`: the provider does not apply that precedence (Salesforce). */
  readonly precedence: 'rfc' | 'none';
  /** Attributes that may appear in a filter, per resource type name; absent = any schema attribute. */
  readonly filterAttributes?: Readonly<Record<string, readonly string[]>>;
}

const ALL_OPERATORS: readonly CompareOperator[] = [
  'eq',
  'ne',
  'co',
  'sw',
  'ew',
  'gt',
  'ge',
  'lt',
  'le',
];

function profile(p: VendorProfile): VendorProfile {
  return Object.freeze({
    ...p,
    source: Object.freeze(p.source.slice()),
    operators: Object.freeze(p.operators.slice()),
    logical: Object.freeze({ ...p.logical }),
    paging: Object.freeze({ ...p.paging }),
    resourceTypes: Object.freeze(p.resourceTypes.slice()),
    notes: Object.freeze(p.notes.slice()),
  });
}

export const VENDOR_PROFILES: Readonly<Record<VendorId, VendorProfile>> = Object.freeze({
  generic: profile({
    id: 'generic',
    name: 'Generic SCIM 2.0 (RFC 7644)',
    source: [
      'https://www.rfc-editor.org/rfc/rfc7644#section-3.4.2',
      'https://www.rfc-editor.org/rfc/rfc9865',
    ],
    operators: ALL_OPERATORS,
    presence: true,
    logical: { and: true, or: true, not: true },
    valuePaths: true,
    paging: { index: true, cursor: false, maxPageSize: 1000 },
    search: true,
    attributeSelection: true,
    sort: true,
    resourceTypes: ['User', 'Group'],
    filterRequired: false,
    precedence: 'rfc',
    notes: [
      'The full RFC 7644 query surface. Sort, /.search and cursors (RFC 9865) are optional for servers: check /ServiceProviderConfig.',
      'The RFC sets no page size limit; 1000 is the client-side cap this console uses.',
    ],
  }),
  okta: profile({
    id: 'okta',
    name: 'Okta (Users API search)',
    source: [
      'https://developer.okta.com/docs/api/openapi/okta-management/management/tag/User/#tag/User/operation/listUsers',
      'https://developer.okta.com/docs/reference/rl-global-mgmt/',
      'https://docs.blinkops.com/docs/integrations/okta/actions/list-users',
      'https://developer.sailpoint.com/discuss/t/aggregate-a-subset-of-okta-users/28001/3',
    ],
    operators: ['eq', 'ne', 'sw', 'co', 'gt', 'ge', 'lt', 'le'],
    presence: true,
    logical: { and: true, or: true, not: false },
    valuePaths: false,
    paging: { index: false, cursor: true, maxPageSize: 200 },
    search: false,
    attributeSelection: true,
    sort: true,
    resourceTypes: ['User', 'Group'],
    filterRequired: false,
    precedence: 'rfc',
    notes: [
      'Okta has no SCIM service-provider API for its own directory: its Users API `search` parameter takes SCIM-like expressions on Okta\'s attribute names (profile.lastName sw "Smi", lastUpdated gt "…").',
      'Pages with `limit` (≤ 200) and the `after` cursor from the Link header, not SCIM startIndex/count.',
      '`co` works only on some profile attributes; `not` is not documented.',
    ],
  }),
  entra: profile({
    id: 'entra',
    name: 'Microsoft Entra ID SCIM API',
    source: [
      'https://docs.azure.cn/en-us/entra/identity/app-provisioning/entra-id-scim-api-reference',
      'https://learn.microsoft.com/en-us/entra/identity/app-provisioning/entra-id-scim-api-schema-documentation',
    ],
    operators: ['eq'],
    presence: false,
    logical: { and: true, or: false, not: false },
    valuePaths: true,
    paging: { index: false, cursor: true, maxPageSize: 100 },
    search: false,
    attributeSelection: true,
    sort: false,
    resourceTypes: ['User', 'Group'],
    filterRequired: false,
    precedence: 'rfc',
    notes: [
      'Endpoint https://graph.microsoft.com/rp/scim; app-only OAuth 2.0 tokens (client credentials), delegated tokens are not accepted.',
      'Paging is based on RFC 9865 cursors. Operators beyond eq/and, sort, /.search and the page size limit are not documented: treated as unsupported.',
      'Entra (as a SCIM client) sends the non-RFC form emails[type eq "work"].value eq "…"; this console writes the RFC form.',
      '`groups.value` is available only in filter queries.',
    ],
  }),
  'aws-identity-center': profile({
    id: 'aws-identity-center',
    name: 'AWS IAM Identity Center',
    source: [
      'https://docs.aws.amazon.com/singlesignon/latest/developerguide/listusers.html',
      'https://docs.aws.amazon.com/singlesignon/latest/developerguide/limitations.html',
      'https://docs.aws.amazon.com/singlesignon/latest/developerguide/serviceproviderconfig.html',
    ],
    operators: ['eq'],
    presence: false,
    logical: { and: true, or: false, not: false },
    valuePaths: false,
    paging: { index: false, cursor: true, maxPageSize: 100 },
    search: false,
    attributeSelection: false,
    sort: false,
    resourceTypes: ['User', 'Group'],
    filterRequired: false,
    precedence: 'rfc',
    filterAttributes: {
      User: [
        'userName',
        'externalId',
        'id',
        'groups.value',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager',
      ],
      Group: ['displayName', 'externalId', 'id', 'members'],
    },
    notes: [
      'Only eq, joined by and. startIndex, attributes and excludedAttributes are not supported; page with cursor and count (1–100, default 100).',
      '/.search, /Me and /Bulk are not supported. Static bearer token valid for one year.',
      'Throttled requests get HTTP 429 (ThrottlingException); limits are not published.',
    ],
  }),
  'google-cloud-identity': profile({
    id: 'google-cloud-identity',
    name: 'Google Cloud Identity SCIM API',
    source: [
      'https://docs.cloud.google.com/identity/docs/scim/reference/rest/v1/customers.v2.Users/list',
    ],
    operators: ['eq'],
    presence: false,
    logical: { and: false, or: false, not: false },
    valuePaths: false,
    paging: { index: false, cursor: false, maxPageSize: 1 },
    search: false,
    attributeSelection: true,
    sort: false,
    resourceTypes: ['User'],
    filterRequired: true,
    maxFilterTerms: 1,
    precedence: 'rfc',
    filterAttributes: { User: ['userName'] },
    notes: [
      'A filter is required (without one the API answers tooMany) and only `userName eq "…"` is supported.',
      'No pagination (maxPageSize 1: a userName eq filter matches at most one user), no co/sw/ew, no and/or, no complex filters.',
    ],
  }),
  'github-emu': profile({
    id: 'github-emu',
    name: 'GitHub Enterprise Managed Users',
    source: [
      'https://docs.github.com/en/rest/enterprise-admin/scim',
      'https://docs.github.com/en/enterprise-cloud@latest/rest/enterprise-admin/scim#list-scim-provisioned-identities-for-an-enterprise',
    ],
    operators: ['eq'],
    presence: false,
    logical: { and: false, or: false, not: false },
    valuePaths: false,
    paging: { index: true, cursor: false, maxPageSize: 100 },
    search: false,
    attributeSelection: true,
    sort: false,
    resourceTypes: ['User', 'Group'],
    filterRequired: false,
    maxFilterTerms: 1,
    precedence: 'rfc',
    filterAttributes: {
      User: ['userName', 'externalId', 'id', 'displayName'],
      Group: ['externalId', 'id', 'displayName'],
    },
    notes: [
      'eq only, and one filter per request ("Multiple filters are not supported").',
      'Personal access token (classic) with the scim:enterprise scope; fine-grained tokens and GitHub Apps are not supported.',
      'excludedAttributes=members is supported on Groups. The page size limit is not documented (100 assumed).',
    ],
  }),
  slack: profile({
    id: 'slack',
    name: 'Slack SCIM API',
    source: [
      'https://api.slack.com/scim',
      'https://docs.slack.dev/reference/scim-api',
      'https://api.slack.com/changelog/2019-06-have-scim-will-paginate',
      'https://docs.slack.dev/reference/scim-api/rate-limits',
    ],
    operators: ['eq', 'co', 'sw', 'ew'],
    presence: false,
    logical: { and: true, or: true, not: false },
    valuePaths: false,
    paging: { index: true, cursor: false, maxPageSize: 1000 },
    search: false,
    attributeSelection: true,
    sort: false,
    resourceTypes: ['User', 'Group'],
    filterRequired: false,
    precedence: 'rfc',
    notes: [
      'count is clamped to 1000 (default 10); page with startIndex.',
      'The exact operator list was not verified against the current docs: eq, co, sw and ew are assumed.',
      'Org-wide limits of 1000 reads and 600 writes per minute; HTTP 429 with Retry-After.',
      'Token: OAuth token with the admin scope, created by an Owner or Admin.',
    ],
  }),
  salesforce: profile({
    id: 'salesforce',
    name: 'Salesforce SCIM',
    source: ['https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.identity_scim_rest_api.htm'],
    operators: ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'],
    presence: true,
    logical: { and: true, or: true, not: false },
    valuePaths: false,
    paging: { index: true, cursor: false, maxPageSize: 200 },
    search: false,
    attributeSelection: true,
    sort: false,
    resourceTypes: ['User', 'Group', 'Entitlement', 'Role'],
    filterRequired: false,
    precedence: 'none',
    notes: [
      '"AND doesn\'t have precedence over OR": this console puts every nested group in parentheses, so its filters mean the same there.',
      'Discovery is served as /ServiceProviderConfigs (plural, the SCIM 1.1 name) under /services/scim/v2/.',
      'The operator list and the Users page size were not retrieved; /Entitlements lists are capped at 200.',
    ],
  }),
  atlassian: profile({
    id: 'atlassian',
    name: 'Atlassian Cloud user provisioning',
    source: [
      'https://support.atlassian.com/atlassian-cloud/kb/how-to-filter-users-in-provisioning-scim-using-rest-api',
      'https://support.atlassian.com/atlassian-cloud/kb/how-to-fetch-all-users-via-user-provisioning-scim-api/',
    ],
    operators: ['eq'],
    presence: false,
    logical: { and: false, or: false, not: false },
    valuePaths: false,
    paging: { index: true, cursor: false, maxPageSize: 100 },
    search: false,
    attributeSelection: true,
    sort: false,
    resourceTypes: ['User', 'Group'],
    filterRequired: false,
    maxFilterTerms: 1,
    precedence: 'rfc',
    filterAttributes: { User: ['userName', 'externalId'], Group: ['displayName', 'externalId'] },
    notes: [
      'Endpoint https://api.atlassian.com/scim/directory/{directoryId}/ with a static API key per provisioning directory.',
      'Filters: userName eq and externalId eq; 100 users per page, paged with startIndex.',
    ],
  }),
});

export const VENDOR_IDS = Object.freeze(Object.keys(VENDOR_PROFILES) as VendorId[]);

/** The profile for `id` (case-insensitive); an unknown id gets the generic RFC profile. */
export function getVendorProfile(id: string): VendorProfile {
  const key = String(id).toLowerCase() as VendorId;
  return Object.hasOwn(VENDOR_PROFILES, key) ? VENDOR_PROFILES[key] : VENDOR_PROFILES.generic;
}
