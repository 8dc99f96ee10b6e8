import { parseFilter } from '@scim-console/scim';
import { describe, expect, it } from 'vitest';
import { carriesPersonalData } from './personal-data.ts';

describe('carriesPersonalData (the POST /.search rule)', () => {
  it.each([
    ['userName eq "alice"', true],
    ['name.familyName sw "O"', true],
    ['emails[type eq "work" and value co "@example.com"]', true],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"', true],
    ['active eq true', false],
    ['userName pr', false],
    ['meta.lastModified gt "2026-01-01T00:00:00Z"', false],
    ['groups.value eq "g-1"', false],
    ['id eq "2819c223"', false],
  ])('%s → %s (User)', (filter, expected) => {
    expect(carriesPersonalData(parseFilter(filter), 'User')).toBe(expected);
  });

  it('for groups only membership counts', () => {
    expect(carriesPersonalData(parseFilter('displayName sw "Eng"'), 'Group')).toBe(false);
    expect(carriesPersonalData(parseFilter('members[value eq "u-1"]'), 'Group')).toBe(true);
    expect(carriesPersonalData(null)).toBe(false);
  });
});
