// A SCIM query (RFC 7644 §3.4.2, §3.4.3; RFC 9865 cursors) → the request to send:
// GET with an RFC 3986-encoded query string, or POST {endpoint}/.search with a
// SearchRequest body (preferred when the filter holds personal data, RFC 7644 §7.5.2).
// The filter is always written by formatFilter, never taken as text.

import { ScimQueryError } from '../errors.ts';
import type { FilterNode } from '../filter/ast.ts';
import { formatFilter } from '../filter/format.ts';
import { parseAttributePath } from '../filter/parser.ts';
import { SCHEMA_URNS } from '../schema/core-schemas.ts';

export type SortOrder = 'ascending' | 'descending';

export interface ScimQuery {
  /** Resource endpoint, e.g. `/Users`, or `/` for a search over every resource type. */
  readonly endpoint: string;
  readonly filter?: FilterNode;
  readonly attributes?: readonly string[];
  readonly excludedAttributes?: readonly string[];
  readonly sortBy?: string;
  readonly sortOrder?: SortOrder;
  /** 1-based index paging (RFC 7644 §3.4.2.4). */
  readonly startIndex?: number;
  readonly count?: number;
  /** RFC 9865 cursor: '' asks for the first page of cursor paging, then the previous page's nextCursor. */
  readonly cursor?: string;
}

/** RFC 7644 §3.4.3 SearchRequest (with RFC 9865 `cursor`). */
export interface SearchRequest {
  readonly schemas: readonly [typeof SCHEMA_URNS.searchRequest];
  readonly attributes?: readonly string[];
  readonly excludedAttributes?: readonly string[];
  readonly filter?: string;
  readonly sortBy?: string;
  readonly sortOrder?: SortOrder;
  readonly startIndex?: number;
  readonly count?: number;
  readonly cursor?: string;
}

export interface ScimRequest {
  readonly method: 'GET' | 'POST';
  /** Path relative to the service provider's base URL: `/Users` or `/Users/.search`. */
  readonly path: string;
  /** The query parameters of a GET, unencoded, in RFC order; `{}` for POST. */
  readonly params: Readonly<Record<string, string>>;
  /** `?filter=…&count=…` encoded per RFC 3986 (space is %20, never +), or '' when there are none. */
  readonly queryString: string;
  readonly body?: SearchRequest;
  /** The canonical filter text, when the query has a filter. */
  readonly filter?: string;
}

/** Percent-encodes everything but RFC 3986 unreserved characters (ALPHA DIGIT - . _ ~). */
export function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** encodeRfc3986, turning the URIError of a lone surrogate into a ScimQueryError naming the field. */
function encodeParam(field: string, value: string): string {
  try {
    return encodeRfc3986(value);
  } catch (_error) {
    throw new ScimQueryError(
      field === 'cursor' ? 'INVALID_CURSOR' : 'INVALID_ATTRIBUTE_PATH',
      `${field} contains a character that cannot be sent in a URL (an unpaired UTF-16 surrogate)`,
      field,
      field === 'cursor' ? 'invalidCursor' : 'invalidValue',
    );
  }
}

const ENDPOINT = /^\/(?:[A-Za-z0-9_~-][A-Za-z0-9._~-]*(?:\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*)?$/;

function checkPaths(values: readonly string[] | undefined, field: string): string[] | undefined {
  if (values === undefined) return undefined;
  if (!Array.isArray(values))
    throw new ScimQueryError(
      'INVALID_ATTRIBUTE_PATH',
      `${field} must be a list of attribute paths`,
      field,
      'invalidPath',
    );
  return values.map((value, i) => {
    try {
      parseAttributePath(value);
    } catch (error) {
      throw new ScimQueryError(
        'INVALID_ATTRIBUTE_PATH',
        `${field}[${i}]: ${(error as Error).message}`,
        `${field}[${i}]`,
        'invalidPath',
      );
    }
    return value.trim();
  });
}

function checkInteger(
  value: number | undefined,
  min: number,
  field: 'startIndex' | 'count',
): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new ScimQueryError(
      field === 'count' ? 'INVALID_COUNT' : 'INVALID_START_INDEX',
      `${field} must be a whole number of at least ${min}, got ${String(value)}`,
      field,
      field === 'count' ? 'invalidCount' : 'invalidValue',
    );
  }
  return value;
}

/**
 * Builds the request for a query. GET puts everything in the query string; POST
 * sends a SearchRequest to `{endpoint}/.search`.
 * @throws ScimQueryError naming the field at fault.
 */
export function buildScimRequest(
  query: ScimQuery,
  options: { method: 'GET' | 'POST' } = { method: 'GET' },
): ScimRequest {
  const method = options.method;
  if (method !== 'GET' && method !== 'POST') {
    throw new ScimQueryError(
      'INVALID_METHOD',
      `method must be GET or POST, got ${String(method)}`,
      'method',
    );
  }
  const endpoint = query.endpoint;
  if (
    typeof endpoint !== 'string' ||
    !ENDPOINT.test(endpoint) ||
    /(^|\/)\.\.?(\/|$)/.test(endpoint)
  ) {
    throw new ScimQueryError(
      'INVALID_ENDPOINT',
      `endpoint must be a path such as /Users or /, got ${JSON.stringify(endpoint)}`,
      'endpoint',
    );
  }
  const filter = query.filter !== undefined ? formatFilter(query.filter) : undefined;
  const attributes = checkPaths(query.attributes, 'attributes');
  const excludedAttributes = checkPaths(query.excludedAttributes, 'excludedAttributes');
  const sortBy = query.sortBy !== undefined ? checkPaths([query.sortBy], 'sortBy')![0] : undefined;
  if (
    query.sortOrder !== undefined &&
    query.sortOrder !== 'ascending' &&
    query.sortOrder !== 'descending'
  ) {
    throw new ScimQueryError(
      'INVALID_SORT_ORDER',
      `sortOrder must be ascending or descending, got ${JSON.stringify(query.sortOrder)}`,
      'sortOrder',
    );
  }
  const startIndex = checkInteger(query.startIndex, 1, 'startIndex');
  const count = checkInteger(query.count, 0, 'count');
  const cursor = query.cursor;
  if (cursor !== undefined) {
    if (typeof cursor !== 'string')
      throw new ScimQueryError(
        'INVALID_CURSOR',
        'cursor must be a string',
        'cursor',
        'invalidCursor',
      );
    if (startIndex !== undefined) {
      throw new ScimQueryError(
        'INVALID_CURSOR',
        'cursor and startIndex cannot be combined: choose cursor or index paging (RFC 9865)',
        'cursor',
        'invalidCursor',
      );
    }
  }

  const entries: [string, string][] = [];
  if (filter !== undefined) entries.push(['filter', filter]);
  if (attributes !== undefined && attributes.length > 0)
    entries.push(['attributes', attributes.join(',')]);
  if (excludedAttributes !== undefined && excludedAttributes.length > 0)
    entries.push(['excludedAttributes', excludedAttributes.join(',')]);
  if (sortBy !== undefined) entries.push(['sortBy', sortBy]);
  if (query.sortOrder !== undefined) entries.push(['sortOrder', query.sortOrder]);
  if (startIndex !== undefined) entries.push(['startIndex', String(startIndex)]);
  if (count !== undefined) entries.push(['count', String(count)]);
  if (cursor !== undefined) entries.push(['cursor', cursor]);

  if (method === 'GET') {
    return Object.freeze({
      method,
      path: endpoint,
      params: Object.freeze(Object.fromEntries(entries)),
      queryString:
        entries.length === 0
          ? ''
          : `?${entries.map(([k, v]) => `${k}=${encodeParam(k, v)}`).join('&')}`,
      ...(filter !== undefined ? { filter } : {}),
    });
  }
  const body: SearchRequest = Object.freeze({
    schemas: [SCHEMA_URNS.searchRequest] as const,
    ...(attributes !== undefined && attributes.length > 0 ? { attributes } : {}),
    ...(excludedAttributes !== undefined && excludedAttributes.length > 0
      ? { excludedAttributes }
      : {}),
    ...(filter !== undefined ? { filter } : {}),
    ...(sortBy !== undefined ? { sortBy } : {}),
    ...(query.sortOrder !== undefined ? { sortOrder: query.sortOrder } : {}),
    ...(startIndex !== undefined ? { startIndex } : {}),
    ...(count !== undefined ? { count } : {}),
    ...(cursor !== undefined ? { cursor } : {}),
  });
  return Object.freeze({
    method,
    path: endpoint === '/' ? '/.search' : `${endpoint}/.search`,
    params: Object.freeze({}),
    queryString: '',
    body,
    ...(filter !== undefined ? { filter } : {}),
  });
}
