import { describe, expect, it } from 'vitest';
import { COMPARE_OPERATORS } from '../filter/ast.ts';
import { VENDOR_IDS, VENDOR_PROFILES, getVendorProfile } from './vendor-profiles.ts';

describe('vendor profiles', () => {
  it('cover the nine providers of issue 2, each citing https sources', () => {
    expect(VENDOR_IDS).toEqual([
      'generic',
      'okta',
      'entra',
      'aws-identity-center',
      'google-cloud-identity',
      'github-emu',
      'slack',
      'salesforce',
      'atlassian',
    ]);
    for (const id of VENDOR_IDS) {
      const p = VENDOR_PROFILES[id];
      expect(p.id).toBe(id);
      expect(p.source.length).toBeGreaterThan(0);
      for (const url of p.source) expect(new URL(url).protocol).toBe('https:');
      for (const op of p.operators) expect(COMPARE_OPERATORS).toContain(op);
      expect(p.paging.maxPageSize).toBeGreaterThan(0);
      expect(Object.isFrozen(p) && Object.isFrozen(p.operators)).toBe(true);
    }
  });

  it('record the documented limits', () => {
    const aws = VENDOR_PROFILES['aws-identity-center'];
    expect(aws).toMatchObject({
      operators: ['eq'],
      logical: { and: true, or: false, not: false },
      search: false,
      attributeSelection: false,
    });
    expect(aws.paging).toEqual({ index: false, cursor: true, maxPageSize: 100 });
    expect(VENDOR_PROFILES['google-cloud-identity']).toMatchObject({
      filterRequired: true,
      filterAttributes: { User: ['userName'] },
    });
    expect(VENDOR_PROFILES['github-emu']).toMatchObject({ operators: ['eq'], maxFilterTerms: 1 });
    expect(VENDOR_PROFILES.slack.paging.maxPageSize).toBe(1000);
    expect(VENDOR_PROFILES.salesforce.precedence).toBe('none');
    expect(VENDOR_PROFILES.atlassian.paging).toEqual({
      index: true,
      cursor: false,
      maxPageSize: 100,
    });
    expect(VENDOR_PROFILES.generic.operators).toEqual(COMPARE_OPERATORS);
  });

  it('fall back to the generic profile for unknown ids', () => {
    expect(getVendorProfile('OKTA').id).toBe('okta');
    expect(getVendorProfile('nope').id).toBe('generic');
    expect(getVendorProfile('__proto__').id).toBe('generic');
  });
});
