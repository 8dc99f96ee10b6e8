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

function withParams(url: string, page: PageParams): string {
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(url);
  const u = new URL(url, 'http://relative.invalid');
  if (page.cursor !== undefined) {
    u.searchParams.delete('startIndex');
    u.searchParams.set('cursor', page.cursor);
  } else if (page.startIndex !== undefined) {
    u.searchParams.delete('cursor');
    u.searchParams.set('startIndex', String(page.startIndex));
  }
  if (page.count !== undefined) u.searchParams.set('count', String(page.count));
  return absolute ? u.toString() : `${u.pathname}${u.search}`;
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
