// Reading SCIM response bodies: ListResponse (RFC 7644 §3.4.2, with RFC 9865's
// nextCursor/previousCursor) and Error (RFC 7644 §3.12). Servers are not always
// exact (numbers as strings, `resources` in lowercase, missing `schemas`); what
// can be read unambiguously is accepted, anything else is a ScimResponseError.

import { ScimResponseError } from '../errors.ts';
import { SCHEMA_URNS } from '../schema/core-schemas.ts';
import type { ScimQuery } from './scim-request.ts';

export type ScimResource = Record<string, unknown>;

export interface ListResponse<T extends ScimResource = ScimResource> {
  readonly schemas: readonly string[];
  /** Absent only under RFC 9865 cursor paging, where it is optional. */
  readonly totalResults?: number;
  readonly startIndex?: number;
  readonly itemsPerPage?: number;
  readonly Resources: readonly T[];
  readonly nextCursor?: string;
  readonly previousCursor?: string;
}

export interface ScimErrorBody {
  readonly schemas: readonly string[];
  /** HTTP status as a string, as the RFC writes it (numbers are converted). */
  readonly status: string;
  readonly scimType?: string;
  readonly detail?: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function schemasOf(body: Record<string, unknown>): string[] {
  return Array.isArray(body.schemas)
    ? body.schemas.filter((s): s is string => typeof s === 'string')
    : [];
}

function hasSchema(body: Record<string, unknown>, urn: string): boolean {
  const lower = urn.toLowerCase();
  return schemasOf(body).some((s) => s.toLowerCase() === lower);
}

function count(body: Record<string, unknown>, key: string): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new ScimResponseError(
      'INVALID_FIELD',
      `${key} must be a whole number ≥ 0, got ${JSON.stringify(value)}`,
      key,
    );
  }
  return n;
}

function cursor(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    throw new ScimResponseError('INVALID_FIELD', `${key} must be a string`, key);
  return value;
}

/**
 * Reads a ListResponse body.
 * @throws ScimResponseError when the body is not a ListResponse (an Error body's detail is quoted).
 */
export function parseListResponse<T extends ScimResource = ScimResource>(
  json: unknown,
): ListResponse<T> {
  if (!isObject(json))
    throw new ScimResponseError('NOT_AN_OBJECT', 'The response body is not a JSON object');
  const error = parseScimError(json);
  if (error !== undefined) {
    throw new ScimResponseError(
      'NOT_A_LIST_RESPONSE',
      `The server answered with a SCIM error (status ${error.status}${error.scimType ? `, ${error.scimType}` : ''})${error.detail ? `: ${error.detail}` : ''}`,
    );
  }
  const declared = hasSchema(json, SCHEMA_URNS.listResponse);
  const rawResources = json.Resources ?? json.resources;
  if (!declared && rawResources === undefined && json.totalResults === undefined) {
    throw new ScimResponseError(
      'NOT_A_LIST_RESPONSE',
      'The response body is not a ListResponse (no schemas, Resources or totalResults)',
    );
  }
  let resources: T[] = [];
  if (rawResources !== undefined && rawResources !== null) {
    if (!Array.isArray(rawResources))
      throw new ScimResponseError('INVALID_FIELD', 'Resources must be an array', 'Resources');
    rawResources.forEach((r, i) => {
      if (!isObject(r))
        throw new ScimResponseError(
          'INVALID_FIELD',
          `Resources[${i}] is not an object`,
          `Resources[${i}]`,
        );
    });
    resources = rawResources as T[];
  }
  const totalResults = count(json, 'totalResults');
  const startIndex = count(json, 'startIndex');
  const itemsPerPage = count(json, 'itemsPerPage');
  const nextCursor = cursor(json, 'nextCursor');
  const previousCursor = cursor(json, 'previousCursor');
  return {
    schemas: declared ? schemasOf(json) : [SCHEMA_URNS.listResponse],
    ...(totalResults !== undefined ? { totalResults } : {}),
    ...(startIndex !== undefined ? { startIndex } : {}),
    ...(itemsPerPage !== undefined ? { itemsPerPage } : {}),
    Resources: resources,
    ...(nextCursor !== undefined ? { nextCursor } : {}),
    ...(previousCursor !== undefined ? { previousCursor } : {}),
  };
}

/**
 * Reads a SCIM Error body (RFC 7644 §3.12), or a SCIM 1.1 `{ Errors: [...] }` body.
 * Returns undefined for anything that is not one.
 */
export function parseScimError(json: unknown): ScimErrorBody | undefined {
  if (!isObject(json)) return undefined;
  const str = (v: unknown) =>
    typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
  if (
    hasSchema(json, SCHEMA_URNS.error) ||
    (json.status !== undefined && (json.detail !== undefined || json.scimType !== undefined))
  ) {
    const scimType = str(json.scimType);
    const detail = str(json.detail);
    return {
      schemas: hasSchema(json, SCHEMA_URNS.error) ? schemasOf(json) : [SCHEMA_URNS.error],
      status: str(json.status) ?? '',
      ...(scimType ? { scimType } : {}),
      ...(detail ? { detail } : {}),
    };
  }
  // SCIM 1.1 (still served by some vendors' v1 endpoints): { Errors: [{ code, description }] }
  const legacy = json.Errors;
  if (Array.isArray(legacy) && legacy.length > 0 && isObject(legacy[0])) {
    const first = legacy[0];
    const detail = str(first.description);
    return {
      schemas: [SCHEMA_URNS.error],
      status: str(first.code) ?? '',
      ...(detail ? { detail } : {}),
    };
  }
  return undefined;
}

/**
 * The query for the page after `page`, or undefined when `page` was the last.
 * Follows nextCursor under cursor paging, else advances startIndex by the page size.
 */
export function nextPageQuery(query: ScimQuery, page: ListResponse): ScimQuery | undefined {
  if (
    query.cursor !== undefined ||
    (page.nextCursor !== undefined && query.startIndex === undefined)
  ) {
    return page.nextCursor !== undefined ? { ...query, cursor: page.nextCursor } : undefined;
  }
  const received = page.Resources.length;
  if (received === 0) return undefined;
  const start = page.startIndex ?? query.startIndex ?? 1;
  const next = start + received;
  if (page.totalResults !== undefined && next > page.totalResults) return undefined;
  if (page.totalResults === undefined && query.count !== undefined && received < query.count)
    return undefined;
  return { ...query, startIndex: next };
}
