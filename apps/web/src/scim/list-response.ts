// Reading a SCIM ListResponse (RFC 7644 §3.4.2) leniently: providers differ in what
// they fill in, but Resources must be an array when present and totalResults a number.
export type ScimResource = Record<string, unknown>;

export interface ListPage {
  resources: ScimResource[];
  totalResults: number;
  startIndex: number | null;
  itemsPerPage: number | null;
  nextCursor: string | null;
  previousCursor: string | null;
}

export class ListResponseError extends Error {
  override readonly name = 'ListResponseError';
}

export function readListResponse(data: unknown): ListPage {
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new ListResponseError('The provider answered, but not with a SCIM ListResponse object.');
  }
  const d = data as Record<string, unknown>;
  const raw = d.Resources ?? d.resources ?? [];
  if (!Array.isArray(raw))
    throw new ListResponseError('The ListResponse has a "Resources" member that is not a list.');
  const resources = raw.filter(
    (r): r is ScimResource => Boolean(r) && typeof r === 'object' && !Array.isArray(r),
  );
  const num = (v: unknown): number | null =>
    typeof v === 'number' && Number.isFinite(v)
      ? v
      : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))
        ? Number(v)
        : null;
  const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  const total = num(d.totalResults);
  return {
    resources,
    totalResults: total ?? resources.length,
    startIndex: num(d.startIndex),
    itemsPerPage: num(d.itemsPerPage),
    nextCursor: str(d.nextCursor),
    previousCursor: str(d.previousCursor),
  };
}
