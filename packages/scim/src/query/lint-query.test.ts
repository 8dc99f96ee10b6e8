import { describe, expect, it } from 'vitest';
import { eq } from '../filter/builder.ts';
import { coreSchemaModel } from '../schema/schema-model.ts';
import { VENDOR_PROFILES } from '../vendors/vendor-profiles.ts';
import { lintQuery } from './lint-query.ts';

const schema = coreSchemaModel();

describe('lintQuery', () => {
  it('checks paging, sort, /.search and attribute selection against the provider', () => {
    const aws = VENDOR_PROFILES['aws-identity-center'];
    const messages = lintQuery(
      {
        endpoint: '/Users',
        filter: eq('userName', 'a'),
        startIndex: 1,
        count: 500,
        sortBy: 'userName',
        attributes: ['userName'],
      },
      { schema, vendor: aws, method: 'POST' },
    ).map((d) => d.message);
    expect(messages).toEqual([
      'AWS IAM Identity Center does not support POST /.search; send the query with GET',
      'AWS IAM Identity Center does not support sorting (sortBy is ignored or refused)',
      'AWS IAM Identity Center does not support startIndex paging; page with cursor',
      'AWS IAM Identity Center does not support count above 100',
      'AWS IAM Identity Center does not support attributes / excludedAttributes',
    ]);
    expect(
      lintQuery({ endpoint: '/Users' }, { vendor: VENDOR_PROFILES['google-cloud-identity'] })[0]!
        .message,
    ).toBe('Google Cloud Identity SCIM API does not support listing without a filter');
  });

  it('checks attribute names in attributes, excludedAttributes and sortBy, and lints the filter', () => {
    const ds = lintQuery(
      {
        endpoint: '/Users',
        filter: eq('usrName', 'x'),
        attributes: [
          'userName',
          'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
          'displayname',
        ],
        excludedAttributes: ['groupz'],
        sortBy: 'meta.lastModified',
      },
      { schema },
    );
    expect(ds.map((d) => [d.code, d.path, d.suggestion])).toEqual([
      ['UNKNOWN_ATTRIBUTE', 'usrName', 'userName'],
      ['UNKNOWN_ATTRIBUTE', 'groupz', 'groups'],
    ]);
  });
});
