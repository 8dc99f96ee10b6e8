// Warnings computed in the browser before anything is sent: what the chosen provider
// cannot do with this query (from the vendor profile and discovered capabilities).
import { parseFilter, walkFilter, type FilterNode } from '@scim-console/scim';
import type { QueryOptions } from '../../api/query-options';
import type { ScimQueryInput } from '../../api/scim-query';
import { whereToFilterNode } from './builder/filter-model';

export interface ClientWarning {
  code: string;
  message: string;
}

function filterOf(input: ScimQueryInput): FilterNode | null {
  try {
    if (input.filter) return parseFilter(input.filter);
    if (input.where) return whereToFilterNode(input.where) ?? null;
  } catch {
    /* invalid filters are reported by validation, not here */
  }
  return null;
}

export function capabilityWarnings(input: ScimQueryInput, options: QueryOptions): ClientWarning[] {
  const out: ClientWarning[] = [];
  const { capabilities: caps, vendor } = options;
  if (options.source === 'defaults') {
    out.push({
      code: 'SCHEMA_DEFAULTS',
      message: `The provider's schemas could not be read${options.discoveryError ? ` (${options.discoveryError})` : ''}; the attribute list shows the RFC 7643 defaults.`,
    });
  }
  const node = filterOf(input);
  if (node) {
    if (!caps.filter)
      out.push({
        code: 'FILTER_UNSUPPORTED',
        message: `${vendor.name} does not support filtering; the provider may ignore the filter or refuse the request.`,
      });
    const ops = new Set<string>();
    const kinds = new Set<string>();
    walkFilter(node, (n) => {
      kinds.add(n.kind);
      if (n.kind === 'compare') ops.add(n.op);
      if (n.kind === 'present') ops.add('pr');
    });
    if (vendor.operators) {
      const supported = new Set([
        ...vendor.operators,
        ...(vendor.presence === false ? [] : ['pr']),
      ]);
      for (const op of ops) {
        if (!supported.has(op))
          out.push({
            code: 'OPERATOR_UNSUPPORTED',
            message: `${vendor.name} does not support the "${op}" operator.`,
          });
      }
    }
    if (vendor.logical) {
      for (const k of ['and', 'or', 'not'] as const) {
        if (kinds.has(k) && !vendor.logical[k])
          out.push({
            code: 'LOGICAL_UNSUPPORTED',
            message: `${vendor.name} does not support "${k}" in filters.`,
          });
      }
    }
    if (kinds.has('valuePath') && vendor.valuePaths === false) {
      out.push({
        code: 'VALUE_PATH_UNSUPPORTED',
        message: `${vendor.name} does not support value filters such as emails[type eq "work"].`,
      });
    }
  }
  if (input.sortBy && !caps.sort)
    out.push({
      code: 'SORT_UNSUPPORTED',
      message: `${vendor.name} does not support sorting; results come in the provider's order.`,
    });
  if (input.count && caps.maxPageSize && input.count > caps.maxPageSize) {
    out.push({
      code: 'PAGE_SIZE',
      message: `${vendor.name} returns at most ${caps.maxPageSize} resources per page.`,
    });
  }
  return out;
}
