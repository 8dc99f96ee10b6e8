import { describe, expect, it } from 'vitest';
import { queryOptions } from './test/fixtures';
import { capabilityWarnings } from './warnings';

describe('capability warnings before running', () => {
  const base = { connectionId: 'c1', resourceType: 'User' };

  it('names operators, logical words and value filters the provider does not support', () => {
    const options = queryOptions();
    options.vendor = {
      ...options.vendor,
      name: 'Okta',
      operators: ['eq', 'sw', 'gt', 'ge', 'lt', 'le'],
      logical: { and: true, or: true, not: false },
      valuePaths: false,
    };
    const codes = capabilityWarnings(
      { ...base, filter: 'userName co "a" and not (emails[type eq "work"])' },
      options,
    ).map((w) => w.message);
    expect(codes).toEqual([
      'Okta does not support the "co" operator.',
      'Okta does not support "not" in filters.',
      'Okta does not support value filters such as emails[type eq "work"].',
    ]);
  });

  it('warns about sorting and page size the provider cannot honour, and about RFC defaults', () => {
    const options = queryOptions();
    options.capabilities = { ...options.capabilities, sort: false, maxPageSize: 100 };
    options.source = 'defaults';
    options.discoveryError = 'HTTP 403';
    const codes = capabilityWarnings({ ...base, sortBy: 'userName', count: 500 }, options).map(
      (w) => w.code,
    );
    expect(codes).toEqual(['SCHEMA_DEFAULTS', 'SORT_UNSUPPORTED', 'PAGE_SIZE']);
  });

  it('says nothing when the provider supports the query', () => {
    expect(
      capabilityWarnings(
        {
          ...base,
          where: { combinator: 'and', rules: [{ field: 'active', operator: 'eq', value: true }] },
        },
        queryOptions(),
      ),
    ).toEqual([]);
  });
});
