import { describe, expect, it } from 'vitest';
import type { GeneratedQuery } from '../api/scim-query';
import { requestFor, withParams } from './page-request';

describe('page requests', () => {
  it('changes only the paging parameters and keeps the RFC 3986 encoding of the rest', () => {
    const url =
      'https://p.example/scim/v2/Users?filter=userName%20sw%20%22a%2Bb%22&count=50&startIndex=1';
    expect(withParams(url, { startIndex: 51, count: 50 })).toBe(
      'https://p.example/scim/v2/Users?filter=userName%20sw%20%22a%2Bb%22&startIndex=51&count=50',
    );
    expect(withParams('/api/relay/c1/Users?cursor=&count=20', { cursor: 'abc~1', count: 20 })).toBe(
      '/api/relay/c1/Users?cursor=abc~1&count=20',
    );
  });

  it('puts the paging into the SearchRequest body for POST /.search, through the relay when asked', () => {
    const q = {
      connectionId: 'c1',
      method: 'POST',
      url: 'https://p.example/scim/v2/Users/.search',
      body: { filter: 'userName sw "a"', startIndex: 1, count: 10 },
      execution: {
        mode: 'relay',
        baseUrl: 'https://p.example/scim/v2',
        relayUrl: '/api/relay/c1/Users/.search',
        headers: {},
      },
    } as unknown as GeneratedQuery;
    expect(requestFor(q, { startIndex: 11, count: 10 })).toMatchObject({
      mode: 'relay',
      url: '/api/relay/c1/Users/.search',
      body: { filter: 'userName sw "a"', startIndex: 11, count: 10 },
    });
  });
});
