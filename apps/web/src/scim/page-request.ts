// Deriving the request for another page from the request the backend generated: only
// the paging parameters change (startIndex/count or cursor), in the query string for
// GET and in the SearchRequest body for POST /.search.
import type { ScimRequestSpec } from '../api/scim-client';
import type { GeneratedQuery } from '../api/scim-query';

export interface PageParams {
  startIndex?: number;
  count?: number;
  cursor?: string;
}

/**
 * Replaces only the paging parameters of a URL and keeps the rest of the query string
 * byte for byte: the backend encoded it per RFC 3986 (spaces as %20), and re-encoding it
 * with URLSearchParams would turn spaces into "+", which some providers read literally.
 */
export function withParams(url: string, page: PageParams): string {
  const hashAt = url.indexOf('#');
  const noHash = hashAt === -1 ? url : url.slice(0, hashAt);
  const q = noHash.indexOf('?');
  const base = q === -1 ? noHash : noHash.slice(0, q);
  const kept = (q === -1 ? '' : noHash.slice(q + 1))
    .split('&')
    .filter((part) => part !== '')
    .filter((part) => {
      const key = decodeURIComponent(part.split('=', 1)[0] ?? '').toLowerCase();
      if (key === 'count') return page.count === undefined;
      if (key === 'startindex' || key === 'cursor')
        return page.cursor === undefined && page.startIndex === undefined;
      return true;
    });
  const added: string[] = [];
  if (page.cursor !== undefined) added.push(`cursor=${encodeURIComponent(page.cursor)}`);
  else if (page.startIndex !== undefined) added.push(`startIndex=${page.startIndex}`);
  if (page.count !== undefined) added.push(`count=${page.count}`);
  const all = [...kept, ...added];
  return all.length ? `${base}?${all.join('&')}` : base;
}

/** The request to send for the generated query (page = undefined) or for another page of it. */
export function requestFor(q: GeneratedQuery, page?: PageParams): ScimRequestSpec {
  const mode = q.execution.mode;
  const base = mode === 'relay' ? (q.execution.relayUrl ?? q.url) : q.url;
  let url = base;
  let body: unknown = q.body ?? undefined;
  if (page) {
    if (q.method === 'POST' && q.body) {
      const b: Record<string, unknown> = { ...q.body };
      if (page.cursor !== undefined) {
        delete b.startIndex;
        b.cursor = page.cursor;
      } else if (page.startIndex !== undefined) {
        delete b.cursor;
        b.startIndex = page.startIndex;
      }
      if (page.count !== undefined) b.count = page.count;
      body = b;
    } else {
      url = withParams(base, page);
    }
  }
  return {
    connectionId: q.connectionId,
    mode,
    method: q.method,
    url,
    body,
    headers: q.execution.headers,
  };
}

/** The page size the generated query asked for, if any. */
export function requestedCount(q: GeneratedQuery): number | null {
  const fromBody = q.body && typeof q.body.count === 'number' ? q.body.count : null;
  const fromParams = q.params.count !== undefined ? Number(q.params.count) : null;
  const n = fromBody ?? fromParams;
  return n !== null && Number.isFinite(n) ? n : null;
}
