import { http } from './http';
import type { AuditPage, VerifyResult } from './types';

export interface AuditFilters {
  scope?: 'own' | 'all';
  userId?: string;
  connectionId?: string;
  action?: string;
  outcome?: 'success' | 'failure' | '';
  from?: string;
  to?: string;
  q?: string;
  limit?: number;
}

export const logKeys = {
  all: ['logs'] as const,
  list: (filters: AuditFilters) => [...logKeys.all, 'list', filters] as const,
  verify: () => [...logKeys.all, 'verify'] as const,
};

/** Drops empty values so URLs and cache keys stay canonical. */
export function cleanFilters(filters: AuditFilters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(filters)) {
    if (value !== undefined && value !== null && value !== '') out[key] = String(value);
  }
  return out;
}

export async function fetchLogs(filters: AuditFilters, cursor?: string | null): Promise<AuditPage> {
  const params = cleanFilters(filters);
  if (cursor) params.cursor = cursor;
  return (await http.get<AuditPage>('/api/logs', { params })).data;
}

export function exportLogsUrl(format: 'csv' | 'ndjson', filters: AuditFilters): string {
  const params = cleanFilters({ ...filters, limit: undefined });
  return `/api/logs/export?${new URLSearchParams({ format, ...params })}`;
}

export async function verifyLogs(): Promise<VerifyResult> {
  return (await http.get<VerifyResult>('/api/logs/verify')).data;
}
