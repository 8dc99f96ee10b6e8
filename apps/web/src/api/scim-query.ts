// POST /api/scim-query (the backend validates the input and returns the SCIM request
// to send) and POST /api/logs/:queryId/outcome (what happened when we sent it).
import type { FilterNode } from '@scim-console/scim';
import { http } from './http';

export type ConditionOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le' | 'pr';

export interface ConditionRule {
  field: string;
  operator: ConditionOperator;
  value?: string | number | boolean | null;
}

/** `path` makes the group a value-path filter: `emails[type eq "work" and value co "@x"]`; inner fields are relative. */
export interface ConditionGroup {
  combinator: 'and' | 'or';
  not?: boolean;
  path?: string;
  rules: (ConditionRule | ConditionGroup)[];
}

export interface ScimQueryInput {
  connectionId: string;
  resourceType: string;
  filter?: string;
  where?: ConditionGroup;
  preset?: { id: string; params: Record<string, string> };
  attributes?: string[];
  excludedAttributes?: string[];
  sortBy?: string;
  sortOrder?: 'ascending' | 'descending';
  startIndex?: number;
  count?: number;
  cursor?: string;
  method?: 'auto' | 'GET' | 'POST';
}

export interface QueryWarning {
  code: string;
  message: string;
  path?: string;
}

export interface GeneratedQuery {
  queryId: string;
  connectionId: string;
  resourceType: string;
  method: 'GET' | 'POST';
  url: string;
  path: string;
  params: Record<string, string>;
  body: Record<string, unknown> | null;
  filter: string | null;
  ast: FilterNode | null;
  warnings: QueryWarning[];
  execution: {
    mode: 'direct' | 'relay';
    baseUrl: string;
    relayUrl: string | null;
    headers: Record<string, string>;
  };
}

export interface QueryOutcome {
  /** HTTP status of the SCIM call; 0 when no answer arrived (network, CORS, timeout, cancel). */
  status: number;
  resultCount?: number;
  totalResults?: number;
  pages?: number;
  durationMs: number;
  error?: { code: string; message: string };
}

export async function generateScimQuery(
  input: ScimQueryInput,
  signal?: AbortSignal,
): Promise<GeneratedQuery> {
  const res = await http.post<GeneratedQuery>('/api/scim-query', input, { signal });
  return res.data;
}

export async function reportQueryOutcome(queryId: string, outcome: QueryOutcome): Promise<void> {
  await http.post(`/api/logs/${encodeURIComponent(queryId)}/outcome`, outcome);
}
