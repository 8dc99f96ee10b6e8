// Checks a whole query against a schema and a provider profile: the filter (via
// lintFilter) plus paging, sort, /.search and attribute selection. These are the
// warnings the console shows before a query is sent ("AWS pages with cursors only").

import type { FilterDiagnostic } from '../filter/lint.ts';
import { lintFilter } from '../filter/lint.ts';
import type { SchemaModel } from '../schema/schema-model.ts';
import type { VendorProfile } from '../vendors/vendor-profiles.ts';
import type { ScimQuery } from './scim-request.ts';

export interface LintQueryOptions {
  readonly schema?: SchemaModel;
  readonly vendor?: VendorProfile;
  readonly method?: 'GET' | 'POST';
}

export function lintQuery(query: ScimQuery, options: LintQueryOptions): FilterDiagnostic[] {
  const { schema, vendor } = options;
  const out: FilterDiagnostic[] = [];
  const unsupported = (what: string) =>
    out.push({
      code: 'VENDOR_UNSUPPORTED',
      severity: 'warning',
      message: `${vendor!.name} does not support ${what}`,
    });
  const resourceType = schema?.resourceType(query.endpoint);

  if (query.filter !== undefined && schema !== undefined && resourceType !== undefined) {
    out.push(
      ...lintFilter(query.filter, {
        schema,
        resourceType: resourceType.name,
        ...(vendor ? { vendor } : {}),
      }),
    );
  }
  if (schema !== undefined && resourceType !== undefined) {
    const paths: [string, string][] = [
      ...(query.attributes ?? []).map((p): [string, string] => ['attributes', p]),
      ...(query.excludedAttributes ?? []).map((p): [string, string] => ['excludedAttributes', p]),
      ...(query.sortBy !== undefined ? [['sortBy', query.sortBy] as [string, string]] : []),
    ];
    for (const [field, path] of paths) {
      // A whole schema URN (e.g. the enterprise extension) is a valid attribute selector.
      if (
        schema
          .schemasOf(resourceType.name)
          .some((s) => s.id.toLowerCase() === path.trim().toLowerCase())
      )
        continue;
      if (schema.resolve(resourceType.name, path) === undefined) {
        const suggestion = schema.suggest(resourceType.name, path);
        out.push({
          code: 'UNKNOWN_ATTRIBUTE',
          severity: 'warning',
          message: `${field}: unknown attribute "${path}" for ${resourceType.name}${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
          path,
          ...(suggestion ? { suggestion } : {}),
        });
      }
    }
  }
  if (vendor === undefined) return out;
  if (vendor.filterRequired && query.filter === undefined) unsupported('listing without a filter');
  if (options.method === 'POST' && !vendor.search)
    unsupported('POST /.search; send the query with GET');
  if (query.sortBy !== undefined && !vendor.sort)
    unsupported('sorting (sortBy is ignored or refused)');
  if (query.startIndex !== undefined && !vendor.paging.index) {
    unsupported(vendor.paging.cursor ? 'startIndex paging; page with cursor' : 'paging');
  }
  if (query.cursor !== undefined && !vendor.paging.cursor) {
    unsupported(vendor.paging.index ? 'cursor paging; page with startIndex' : 'paging');
  }
  if (query.count !== undefined && query.count > vendor.paging.maxPageSize) {
    unsupported(`count above ${vendor.paging.maxPageSize}`);
  }
  if (
    (query.attributes?.length || query.excludedAttributes?.length) &&
    !vendor.attributeSelection
  ) {
    unsupported('attributes / excludedAttributes');
  }
  return out;
}
