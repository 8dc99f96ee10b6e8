import { describe, expect, it } from 'vitest';
import { ScimQueryError, ScimResponseError } from '../errors.ts';
import { and, eq, pr, valuePath } from '../filter/builder.ts';
import { parseFilter } from '../filter/parser.ts';
import { SCHEMA_URNS } from '../schema/core-schemas.ts';
import { nextPageQuery, parseListResponse, parseScimError } from './list-response.ts';
import { buildScimRequest, encodeRfc3986 } from './scim-request.ts';

describe('buildScimRequest (GET)', () => {
  it('encodes every parameter per RFC 3986, in RFC order', () => {
    const request = buildScimRequest(
      {
        endpoint: '/Users',
        filter: and(
          eq('userName', 'b+jensen@example.com'),
          valuePath('emails', eq('type', 'work')),
        ),
        attributes: ['userName', 'name.givenName'],
        excludedAttributes: ['groups'],
        sortBy: 'meta.lastModified',
        sortOrder: 'descending',
        startIndex: 11,
        count: 10,
      },
      { method: 'GET' },
    );
    expect(request.method).toBe('GET');
    expect(request.path).toBe('/Users');
    expect(request.filter).toBe('userName eq "b+jensen@example.com" and emails[type eq "work"]');
    expect(request.params).toEqual({
      filter: 'userName eq "b+jensen@example.com" and emails[type eq "work"]',
      attributes: 'userName,name.givenName',
      excludedAttributes: 'groups',
      sortBy: 'meta.lastModified',
      sortOrder: 'descending',
      startIndex: '11',
      count: '10',
    });
    expect(request.queryString).toBe(
      '?filter=userName%20eq%20%22b%2Bjensen%40example.com%22%20and%20emails%5Btype%20eq%20%22work%22%5D' +
        '&attributes=userName%2Cname.givenName&excludedAttributes=groups&sortBy=meta.lastModified' +
        '&sortOrder=descending&startIndex=11&count=10',
    );
    expect(new URLSearchParams(request.queryString).get('filter')).toBe(request.filter);
    expect(request.body).toBeUndefined();
  });

  it('returns an empty query string when there is nothing to send', () => {
    expect(buildScimRequest({ endpoint: '/Groups' }, { method: 'GET' })).toMatchObject({
      path: '/Groups',
      queryString: '',
      params: {},
    });
  });

  it('keeps a lone surrogate in a filter value encodable (the formatter escapes it)', () => {
    const request = buildScimRequest(
      { endpoint: '/Users', filter: eq('displayName', 'x\ud800') },
      { method: 'GET' },
    );
    expect(request.queryString).toBe('?filter=displayName%20eq%20%22x%5Cud800%22');
  });

  it("encodes the characters encodeURIComponent leaves alone (!'()*)", () => {
    expect(encodeRfc3986("a!b'c(d)e*f~g h")).toBe('a%21b%27c%28d%29e%2Af~g%20h');
    const request = buildScimRequest(
      { endpoint: '/Users', filter: parseFilter(`name.familyName co "O'Malley (x)"`) },
      { method: 'GET' },
    );
    expect(request.queryString).toBe('?filter=name.familyName%20co%20%22O%27Malley%20%28x%29%22');
  });

  it('sends RFC 9865 cursors, empty on the first page', () => {
    expect(
      buildScimRequest({ endpoint: '/Users', count: 100, cursor: '' }, { method: 'GET' })
        .queryString,
    ).toBe('?count=100&cursor=');
    expect(
      buildScimRequest({ endpoint: '/Users', count: 100, cursor: 'VZUTiy' }, { method: 'GET' })
        .params,
    ).toEqual({ count: '100', cursor: 'VZUTiy' });
  });

  it('rejects bad queries with the field at fault', () => {
    const bad: [object, string][] = [
      [{ endpoint: 'Users' }, 'endpoint'],
      [{ endpoint: '/Users?x=1' }, 'endpoint'],
      [{ endpoint: 'https://evil.example/Users' }, 'endpoint'],
      [{ endpoint: '/../admin' }, 'endpoint'],
      [{ endpoint: '/Users', attributes: ['userName', 'emails[type eq "work"]'] }, 'attributes[1]'],
      [{ endpoint: '/Users', sortBy: 'a b' }, 'sortBy[0]'],
      [{ endpoint: '/Users', sortOrder: 'up' }, 'sortOrder'],
      [{ endpoint: '/Users', startIndex: 0 }, 'startIndex'],
      [{ endpoint: '/Users', count: -1 }, 'count'],
      [{ endpoint: '/Users', count: 1.5 }, 'count'],
      [{ endpoint: '/Users', cursor: 'x', startIndex: 1 }, 'cursor'],
      [{ endpoint: '/Users', cursor: 'ab\ud800' }, 'cursor'],
    ];
    for (const [query, field] of bad) {
      expect(() => buildScimRequest(query as never, { method: 'GET' })).toThrow(
        expect.objectContaining({ field }),
      );
      expect(() => buildScimRequest(query as never, { method: 'GET' })).toThrow(ScimQueryError);
    }
  });
});

describe('buildScimRequest (POST /.search)', () => {
  it('builds a SearchRequest body and keeps the filter out of the URL', () => {
    const request = buildScimRequest(
      {
        endpoint: '/Users',
        filter: eq('userName', 'bjensen'),
        attributes: ['displayName'],
        startIndex: 1,
        count: 10,
      },
      { method: 'POST' },
    );
    expect(request).toMatchObject({
      method: 'POST',
      path: '/Users/.search',
      queryString: '',
      params: {},
    });
    expect(request.body).toEqual({
      schemas: [SCHEMA_URNS.searchRequest],
      attributes: ['displayName'],
      filter: 'userName eq "bjensen"',
      startIndex: 1,
      count: 10,
    });
  });

  it('searches every resource type at the root', () => {
    const request = buildScimRequest(
      { endpoint: '/', filter: pr('meta.resourceType'), cursor: '' },
      { method: 'POST' },
    );
    expect(request.path).toBe('/.search');
    expect(request.body).toMatchObject({ cursor: '' });
  });
});

describe('parseListResponse', () => {
  it('reads an RFC 7644 ListResponse', () => {
    const page = parseListResponse({
      schemas: [SCHEMA_URNS.listResponse],
      totalResults: 2,
      itemsPerPage: 1,
      startIndex: 1,
      Resources: [{ id: 'a', userName: 'x' }],
    });
    expect(page).toEqual({
      schemas: [SCHEMA_URNS.listResponse],
      totalResults: 2,
      itemsPerPage: 1,
      startIndex: 1,
      Resources: [{ id: 'a', userName: 'x' }],
    });
  });

  it('reads RFC 9865 cursors, with totalResults optional', () => {
    const page = parseListResponse({
      schemas: [SCHEMA_URNS.listResponse],
      itemsPerPage: 1,
      Resources: [{ id: 'a' }],
      nextCursor: 'YkU3OF86Pz0',
      previousCursor: 'QSq',
    });
    expect(page).toMatchObject({ nextCursor: 'YkU3OF86Pz0', previousCursor: 'QSq' });
    expect(page.totalResults).toBeUndefined();
  });

  it('tolerates numbers as strings, lowercase resources and missing Resources', () => {
    expect(parseListResponse({ totalResults: '0' })).toEqual({
      schemas: [SCHEMA_URNS.listResponse],
      totalResults: 0,
      Resources: [],
    });
    expect(parseListResponse({ totalResults: 1, resources: [{ id: 'x' }] }).Resources).toEqual([
      { id: 'x' },
    ]);
  });

  it('refuses what is not a ListResponse, quoting a SCIM error', () => {
    expect(() => parseListResponse('x')).toThrow(ScimResponseError);
    expect(() => parseListResponse({ id: 'x' })).toThrow(
      expect.objectContaining({ code: 'NOT_A_LIST_RESPONSE' }),
    );
    expect(() =>
      parseListResponse({
        schemas: [SCHEMA_URNS.error],
        status: '400',
        scimType: 'invalidFilter',
        detail: 'Bad filter',
      }),
    ).toThrow('The server answered with a SCIM error (status 400, invalidFilter): Bad filter');
    expect(() => parseListResponse({ totalResults: -1 })).toThrow(
      expect.objectContaining({ field: 'totalResults' }),
    );
    expect(() => parseListResponse({ totalResults: 1, Resources: [1] })).toThrow(
      expect.objectContaining({ field: 'Resources[0]' }),
    );
  });
});

describe('parseScimError', () => {
  it('reads RFC 7644 §3.12 errors and SCIM 1.1 errors', () => {
    expect(
      parseScimError({
        schemas: [SCHEMA_URNS.error],
        status: 400,
        scimType: 'tooMany',
        detail: 'Too many',
      }),
    ).toEqual({
      schemas: [SCHEMA_URNS.error],
      status: '400',
      scimType: 'tooMany',
      detail: 'Too many',
    });
    expect(parseScimError({ Errors: [{ code: 401, description: 'Unauthorized' }] })).toEqual({
      schemas: [SCHEMA_URNS.error],
      status: '401',
      detail: 'Unauthorized',
    });
    expect(parseScimError({ totalResults: 0 })).toBeUndefined();
    expect(parseScimError(null)).toBeUndefined();
  });
});

describe('nextPageQuery', () => {
  const query = { endpoint: '/Users', count: 2 };
  it('advances startIndex until totalResults is reached', () => {
    const page = parseListResponse({
      totalResults: 5,
      startIndex: 1,
      itemsPerPage: 2,
      Resources: [{}, {}],
    });
    expect(nextPageQuery(query, page)).toEqual({ endpoint: '/Users', count: 2, startIndex: 3 });
    const last = parseListResponse({
      totalResults: 5,
      startIndex: 5,
      itemsPerPage: 1,
      Resources: [{}],
    });
    expect(nextPageQuery({ ...query, startIndex: 5 }, last)).toBeUndefined();
  });

  it('follows nextCursor and stops without one', () => {
    const page = parseListResponse({ Resources: [{}, {}], nextCursor: 'n1' });
    expect(nextPageQuery({ ...query, cursor: '' }, page)).toEqual({
      endpoint: '/Users',
      count: 2,
      cursor: 'n1',
    });
    expect(
      nextPageQuery({ ...query, cursor: 'n1' }, parseListResponse({ Resources: [{}] })),
    ).toBeUndefined();
  });
});
