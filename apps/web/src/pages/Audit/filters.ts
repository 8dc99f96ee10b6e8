import type { AuditFilters } from '../../api/logs';

export const FILTER_KEYS = [
  'userId',
  'connectionId',
  'action',
  'outcome',
  'from',
  'to',
  'q',
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

/** The audit filters live in the URL so a view can be shared and survives reload. */
export function filtersFromParams(params: URLSearchParams): AuditFilters {
  const filters: AuditFilters = { scope: 'all', limit: 50 };
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value) (filters as Record<string, string>)[key] = value;
  }
  return filters;
}

/** `<input type="datetime-local">` speaks local time without a zone; the API wants ISO UTC. */
export function localToIso(local: string): string {
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

export function isoToLocal(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
