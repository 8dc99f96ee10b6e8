import { ScimHttpError } from './scim-error.ts';
import type { ListRequest } from './list.service.ts';
import { SEARCH_REQUEST_SCHEMA, type ResourceTypeName } from './resources.ts';

/** Turn GET query parameters or a SearchRequest body into a ListRequest, rejecting bad values. */
export function parseListParams(
  source: unknown,
  types: readonly ResourceTypeName[],
  from: 'query' | 'body',
): ListRequest {
  if (!source || typeof source !== 'object' || Array.isArray(source)) {
    throw new ScimHttpError(
      400,
      'invalidSyntax',
      'The request body must be a SearchRequest JSON object',
    );
  }
  const params = source as Record<string, unknown>;
  if (from === 'body') {
    const schemas = params.schemas;
    if (!Array.isArray(schemas) || !schemas.includes(SEARCH_REQUEST_SCHEMA)) {
      throw new ScimHttpError(
        400,
        'invalidSyntax',
        `A search body must have "schemas": ["${SEARCH_REQUEST_SCHEMA}"]`,
      );
    }
  }
  const text = (name: string): string | undefined => {
    const value = params[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      throw new ScimHttpError(
        400,
        name === 'filter' ? 'invalidFilter' : 'invalidValue',
        `${name} must be given once, as a string`,
      );
    }
    return value;
  };
  const integer = (name: string): number | undefined => {
    const value = params[name];
    if (value === undefined || value === '') return undefined;
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && /^-?\d+$/.test(value.trim())
          ? Number(value)
          : NaN;
    if (!Number.isSafeInteger(n))
      throw new ScimHttpError(
        400,
        name === 'count' ? 'invalidCount' : 'invalidValue',
        `${name} must be an integer`,
      );
    return n;
  };
  const list = (name: string): string | undefined => {
    const value = params[name];
    if (value === undefined) return undefined;
    if (from === 'body') {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
        throw new ScimHttpError(400, 'invalidValue', `${name} must be an array of attribute names`);
      }
      return value.join(',');
    }
    return text(name);
  };

  const filter = text('filter');
  if (filter !== undefined && !filter.trim())
    throw new ScimHttpError(400, 'invalidFilter', 'filter must not be empty');
  const sortBy = text('sortBy');
  const sortOrderText = text('sortOrder');
  let sortOrder: 'ascending' | 'descending' = 'ascending';
  if (sortOrderText !== undefined) {
    const lower = sortOrderText.toLowerCase();
    if (lower !== 'ascending' && lower !== 'descending') {
      throw new ScimHttpError(400, 'invalidValue', 'sortOrder must be "ascending" or "descending"');
    }
    sortOrder = lower;
  }
  const cursor = text('cursor');
  if (cursor !== undefined && !/^[A-Za-z0-9\-._~]*$/.test(cursor)) {
    throw new ScimHttpError(
      400,
      'invalidCursor',
      'The cursor is not valid: use the nextCursor or previousCursor value of an earlier response',
    );
  }
  const attributes = list('attributes');
  const excludedAttributes = list('excludedAttributes');
  const startIndex = integer('startIndex');
  const count = integer('count');
  return {
    types,
    ...(filter !== undefined ? { filter } : {}),
    ...(sortBy ? { sortBy } : {}),
    sortOrder,
    ...(startIndex !== undefined ? { startIndex } : {}),
    ...(count !== undefined ? { count } : {}),
    ...(cursor !== undefined ? { cursor } : {}),
    ...(attributes ? { attributes } : {}),
    ...(excludedAttributes ? { excludedAttributes } : {}),
  };
}
