import { formatFilter, parseFilter } from '@scim-console/scim';
import { describe, expect, it } from 'vitest';
import { userType } from '../test/fixtures';
import { buildFields, fieldMap } from './fields';
import {
  builderToWhere,
  filterNodeToBuilder,
  whereToFilterNode,
  type ScimRuleGroup,
} from './filter-model';

const fields = buildFields(userType);
const byName = fieldMap(fields);
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('builder fields', () => {
  it('offers sub-attributes and extension attributes with readable labels, and value filters on emails', () => {
    const names = fields.map((f) => f.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'userName',
        'name.givenName',
        'emails',
        'emails.type',
        `${ENT}:department`,
      ]),
    );
    expect(names).not.toContain('name');
    expect(byName.get(`${ENT}:department`)?.label).toBe('Department (Enterprise)');
    expect(byName.get('emails.type')?.label).toBe('Emails › Type');
    expect(fields.filter((f) => f.valuePathable).map((f) => f.name)).toEqual(['emails']);
  });
  it('gives booleans and canonical values a choice list, and pr no value', () => {
    expect(byName.get('active')).toMatchObject({ valueEditorType: 'select' });
    expect(byName.get('emails.type')?.values?.map((v) => (v as { name: string }).name)).toEqual([
      'work',
      'home',
      'other',
    ]);
    expect(byName.get('userName')?.operators).toContainEqual(
      expect.objectContaining({ name: 'pr', arity: 'unary' }),
    );
  });
});

describe('builder → where → filter text', () => {
  const query: ScimRuleGroup = {
    combinator: 'and',
    rules: [
      { field: 'userName', operator: 'sw', value: 'a' },
      {
        combinator: 'or',
        not: true,
        rules: [
          { field: 'active', operator: 'eq', value: 'false' },
          { field: `${ENT}:department`, operator: 'pr', value: '' },
        ],
      },
      {
        combinator: 'and',
        scimPath: 'emails',
        rules: [
          { field: 'emails.type', operator: 'eq', value: 'work' },
          { field: 'emails.value', operator: 'co', value: '@x' },
        ],
      } as ScimRuleGroup,
      { field: 'meta.lastModified', operator: 'gt', value: '2026-01-01T00:00:00Z' },
    ],
  };

  it('converts nested groups, NOT and value paths into the API ConditionGroup', () => {
    const { where, issues } = builderToWhere(query, byName);
    expect(issues).toEqual([]);
    expect(where).toEqual({
      combinator: 'and',
      rules: [
        { field: 'userName', operator: 'sw', value: 'a' },
        {
          combinator: 'or',
          not: true,
          rules: [
            { field: 'active', operator: 'eq', value: false },
            { field: `${ENT}:department`, operator: 'pr' },
          ],
        },
        {
          combinator: 'and',
          path: 'emails',
          rules: [
            { field: 'type', operator: 'eq', value: 'work' },
            { field: 'value', operator: 'co', value: '@x' },
          ],
        },
        { field: 'meta.lastModified', operator: 'gt', value: '2026-01-01T00:00:00Z' },
      ],
    });
    expect(formatFilter(whereToFilterNode(where)!)).toBe(
      `userName sw "a" and not (active eq false or ${ENT}:department pr) and emails[type eq "work" and value co "@x"] and meta.lastModified gt "2026-01-01T00:00:00Z"`,
    );
  });

  it('reports rules without a value and leaves them out', () => {
    const { where, issues } = builderToWhere(
      {
        combinator: 'and',
        rules: [
          { field: 'userName', operator: 'eq', value: '' },
          { field: 'active', operator: 'eq', value: 'true' },
        ],
      },
      byName,
    );
    expect(issues).toEqual([{ path: [0], message: 'Enter a value for "User name".' }]);
    expect(where?.rules).toEqual([{ field: 'active', operator: 'eq', value: true }]);
  });

  it('an empty builder means no filter', () => {
    expect(builderToWhere({ combinator: 'and', rules: [] }, byName).where).toBeUndefined();
  });
});

describe('filter text → builder', () => {
  const roundTrip = (text: string) => {
    const res = filterNodeToBuilder(parseFilter(text), fields, userType.schema);
    if (!res.ok) throw new Error(res.reason);
    const { where, issues } = builderToWhere(res.query, byName);
    expect(issues).toEqual([]);
    return formatFilter(whereToFilterNode(where)!);
  };

  it('shows nested groups, NOT, value paths and extension attributes visually, and back to the same text', () => {
    for (const text of [
      'userName eq "bjensen"',
      'active eq true and (name.givenName co "Ba" or name.familyName pr)',
      'not (active eq false)',
      'emails[type eq "work" and value co "@example.com"]',
      `userName sw "a" and not (active eq false or ${ENT}:department pr) and emails[type eq "work" and value co "@x"]`,
    ]) {
      expect(roundTrip(text)).toBe(formatFilter(parseFilter(text)));
    }
  });

  it('matches attribute names case-insensitively and accepts the core schema URN', () => {
    expect(
      roundTrip('USERNAME eq "x" and urn:ietf:params:scim:schemas:core:2.0:User:active eq true'),
    ).toBe('userName eq "x" and active eq true');
  });

  it('says why a filter can only be edited as text', () => {
    const unknown = filterNodeToBuilder(parseFilter('title co "Eng"'), fields, userType.schema);
    expect(unknown).toEqual({
      ok: false,
      reason: 'the builder does not offer the attribute "title"',
    });
    const badValue = filterNodeToBuilder(parseFilter('active eq "yes"'), fields, userType.schema);
    expect(badValue.ok).toBe(false);
    const notCanonical = filterNodeToBuilder(
      parseFilter('emails[type eq "pager"]'),
      fields,
      userType.schema,
    );
    expect(notCanonical.ok).toBe(false);
  });
});
