// AUDIT_REDACT_FILTER_VALUES: keep the shape of a filter (attributes, operators, logic) but
// replace every literal with "…", for deployments that must not keep personal data such as
// names or e-mail addresses in the trail. The filter is parsed and re-formatted with the SCIM
// library, so the result is itself a valid filter; text that does not parse is replaced whole.
import { formatFilter, parseFilter, type FilterNode } from '@scim-console/scim';

export const REDACTED = '…';

function redactNode(node: FilterNode): FilterNode {
  switch (node.kind) {
    case 'compare':
      return { ...node, value: REDACTED };
    case 'present':
      return node;
    case 'and':
    case 'or':
      return { ...node, filters: node.filters.map(redactNode) };
    case 'not':
      return { ...node, filter: redactNode(node.filter) };
    case 'valuePath':
      return { ...node, filter: redactNode(node.filter) };
  }
}

export function redactFilterValues(filter: string): string {
  try {
    return formatFilter(redactNode(parseFilter(filter)));
  } catch {
    return REDACTED;
  }
}
