// Public API of @scim-console/scim (see ../API.md). Only re-exports live here.

export {
  ScimFilterError,
  ScimQueryError,
  ScimResponseError,
  type ScimFilterErrorCode,
  type ScimQueryErrorCode,
  type ScimResponseErrorCode,
  type ScimType,
} from './errors.ts';

export {
  ATTRIBUTE_OPERATORS,
  COMPARE_OPERATORS,
  LOGICAL_OPERATORS,
  isAttributeName,
  isSchemaUri,
  walkFilter,
  type AndNode,
  type AttributeOperator,
  type AttributePath,
  type CompareNode,
  type CompareOperator,
  type FilterKind,
  type FilterNode,
  type FilterValue,
  type LogicalOperator,
  type NotNode,
  type OrNode,
  type PresentNode,
  type ValuePathNode,
} from './filter/ast.ts';
export { tokenizeFilter, type FilterToken } from './filter/lexer.ts';
export {
  FILTER_LIMITS,
  parseAttributePath,
  parseFilter,
  type FilterSpan,
  type ParseFilterOptions,
} from './filter/parser.ts';
export { formatAttributePath, formatFilter, formatFilterValue } from './filter/format.ts';
export {
  and,
  co,
  compare,
  eq,
  ew,
  ge,
  gt,
  le,
  lt,
  ne,
  not,
  or,
  pr,
  sw,
  toAttributePath,
  valuePath,
  type PathInput,
} from './filter/builder.ts';

export {
  ATTRIBUTE_TYPES,
  type AttributeDefinition,
  type AttributeType,
  type Mutability,
  type ResourceTypeDefinition,
  type Returned,
  type SchemaDefinition,
  type SchemaExtensionReference,
  type Uniqueness,
} from './schema/schema.types.ts';
export {
  COMMON_ATTRIBUTES,
  CORE_RESOURCE_TYPES,
  CORE_SCHEMAS,
  SCHEMA_URNS,
  defineAttribute,
} from './schema/core-schemas.ts';
export {
  coreSchemaModel,
  createSchemaModel,
  type FlatAttribute,
  type ResolvedAttribute,
  type SchemaModel,
} from './schema/schema-model.ts';
export {
  parseResourceTypeDefinition,
  parseSchemaDefinition,
  schemaModelFromDiscovery,
} from './schema/discovery.ts';
export {
  compileFilter,
  isPresent,
  matchFilter,
  type FilterPredicate,
  type MatchContext,
} from './filter/match.ts';

export {
  buildScimRequest,
  encodeRfc3986,
  type ScimQuery,
  type ScimRequest,
  type SearchRequest,
  type SortOrder,
} from './query/scim-request.ts';
export {
  nextPageQuery,
  parseListResponse,
  parseScimError,
  type ListResponse,
  type ScimErrorBody,
  type ScimResource,
} from './query/list-response.ts';

export {
  VENDOR_IDS,
  VENDOR_PROFILES,
  getVendorProfile,
  type VendorId,
  type VendorProfile,
} from './vendors/vendor-profiles.ts';
export {
  lintFilter,
  type FilterDiagnostic,
  type FilterDiagnosticCode,
  type LintFilterOptions,
} from './filter/lint.ts';
export { lintQuery, type LintQueryOptions } from './query/lint-query.ts';
