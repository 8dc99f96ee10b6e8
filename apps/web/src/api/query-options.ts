// GET /api/query-options: what the query builder may offer for one connection
// (resource types, attributes with their operators, presets, provider capabilities).
import { useQuery } from '@tanstack/react-query';
import { http } from './http';

export type AttributeOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le' | 'pr';
export type AttributeType =
  'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'binary' | 'reference' | 'complex';

export interface AttributeOption {
  /** 'name.givenName', 'emails', 'urn:…:enterprise:2.0:User:department'; relative for sub-attributes. */
  path: string;
  label: string;
  schema: string;
  type: AttributeType;
  multiValued: boolean;
  caseExact: boolean;
  returned: string;
  mutability: string;
  canonicalValues: string[] | null;
  description: string | null;
  operators: AttributeOperator[];
  subAttributes: AttributeOption[] | null;
}

export interface ResourceTypeOption {
  id: string;
  name: string;
  endpoint: string;
  schema: string;
  schemaExtensions: { schema: string; required: boolean }[] | string[];
  attributes: AttributeOption[];
}

export interface PresetParameter {
  name: string;
  label: string;
  type: 'string' | 'dateTime' | 'group' | 'department';
  required: boolean;
}

export interface PresetOption {
  id: string;
  name: string;
  description: string;
  resourceType: string;
  parameters: PresetParameter[];
}

/** The provider profile (`VendorProfile` in @scim-console/scim); only what the page reads. */
export interface VendorInfo {
  id: string;
  name: string;
  operators?: string[];
  presence?: boolean;
  logical?: { and: boolean; or: boolean; not: boolean };
  valuePaths?: boolean;
  sort?: boolean;
  notes?: string[];
}

export interface QueryCapabilities {
  filter: boolean;
  maxResults: number | null;
  sort: boolean;
  etag: boolean;
  search: boolean;
  indexPaging: boolean;
  cursorPaging: boolean;
  maxPageSize: number;
}

export interface QueryOptions {
  connectionId: string;
  vendor: VendorInfo;
  source: 'discovered' | 'defaults';
  discoveryError: string | null;
  capabilities: QueryCapabilities;
  resourceTypes: ResourceTypeOption[];
  presets: PresetOption[];
}

export const queryOptionsKeys = {
  all: ['query-options'] as const,
  byConnection: (connectionId: string) => ['query-options', connectionId] as const,
};

export async function fetchQueryOptions(
  connectionId: string,
  signal?: AbortSignal,
): Promise<QueryOptions> {
  const res = await http.get<QueryOptions>('/api/query-options', {
    params: { connectionId },
    signal,
  });
  return res.data;
}

export function useQueryOptions(connectionId: string | null) {
  return useQuery({
    queryKey: queryOptionsKeys.byConnection(connectionId ?? ''),
    queryFn: ({ signal }) => fetchQueryOptions(connectionId as string, signal),
    enabled: Boolean(connectionId),
    staleTime: 5 * 60_000,
  });
}
