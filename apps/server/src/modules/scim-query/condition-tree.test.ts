import { formatFilter, parseFilter } from '@scim-console/scim';
import { describe, expect, it } from 'vitest';
import {
  conditionTreeToFilter,
  RULE_OPERATORS,
  WHERE_LIMITS,
  type ConditionGroup,
} from './condition-tree.ts';
import { buildPreset, PRESETS } from './presets.ts';

function text(group: ConditionGroup): string | null {
  const node = conditionTreeToFilter(group);
  return node === null ? null : formatFilter(node);
}

function fieldOf(fn: () => unknown): { code: string; field: unknown } {
  try {
    fn();
  } catch (error) {
    const e = error as { code: string; details?: { field?: unknown } };
    return { code: e.code, field: e.details?.field };
  }
  throw new Error('expected an error');
}

describe('conditionTreeToFilter', () => {
  it('translates every operator', () => {
    for (const operator of RULE_OPERATORS) {
      const filter = text({
        combinator: 'and',
        rules: [{ field: 'userName', operator, value: operator === 'pr' ? undefined : 'a' }],
      });
      expect(filter).toBe(operator === 'pr' ? 'userName pr' : `userName ${operator} "a"`);
    }
  });

  it('keeps nested groups, not and value paths as structure', () => {
    const filter = text({
      combinator: 'or',
      rules: [
        { field: 'active', operator: 'eq', value: true },
        {
          combinator: 'and',
          not: true,
          rules: [
            { field: 'title', operator: 'co', value: 'Manager' },
            {
              combinator: 'and',
              path: 'emails',
              rules: [
                { field: 'type', operator: 'eq', value: 'work' },
                { field: 'emails.value', operator: 'ew', value: '@example.com' },
              ],
            },
          ],
        },
      ],
    });
    expect(filter).toBe(
      'active eq true or not (title co "Manager" and emails[type eq "work" and value ew "@example.com"])',
    );
    expect(formatFilter(parseFilter(filter!))).toBe(filter);
  });

  it('an empty root group is no filter; an empty nested group is an error naming it', () => {
    expect(text({ combinator: 'and', rules: [] })).toBeNull();
    expect(
      fieldOf(() =>
        text({
          combinator: 'and',
          rules: [
            { field: 'a', operator: 'pr' },
            { combinator: 'or', rules: [] },
          ],
        }),
      ),
    ).toEqual({
      code: 'VALIDATION_FAILED',
      field: 'body.where.rules[1].rules',
    });
  });

  it('keeps hostile values literal', () => {
    const hostile = [
      'x" or userName pr or userName eq "',
      'a) or (b',
      'a] or emails[',
      'back\\slash',
      'line\nbreak',
      '\u2028',
    ];
    for (const value of hostile) {
      const filter = text({
        combinator: 'and',
        rules: [{ field: 'userName', operator: 'eq', value }],
      })!;
      const parsed = parseFilter(filter);
      expect(parsed).toMatchObject({ kind: 'compare', op: 'eq', value });
    }
  });

  it('rejects hostile attribute names with INVALID_PATH and the field', () => {
    for (const field of [
      'userName eq "x" or userName',
      'user"Name',
      'emails[type eq "work"]',
      '../etc',
      'a.b.c',
      '',
    ]) {
      const error = fieldOf(() =>
        text({ combinator: 'and', rules: [{ field, operator: 'eq', value: 'x' }] }),
      );
      expect(error.code, field).toMatch(/INVALID_PATH|VALIDATION_FAILED/);
      expect(error.field, field).toBe('body.where.rules[0].field');
    }
  });

  it('rejects nested value paths, pr with a value, missing values and foreign sub-attributes', () => {
    expect(
      fieldOf(() =>
        text({
          combinator: 'and',
          path: 'emails',
          rules: [
            { combinator: 'and', path: 'addresses', rules: [{ field: 'type', operator: 'pr' }] },
          ],
        }),
      ).field,
    ).toBe('body.where.rules[0].path');
    expect(
      fieldOf(() =>
        text({ combinator: 'and', rules: [{ field: 'title', operator: 'pr', value: 'x' }] }),
      ).field,
    ).toBe('body.where.rules[0].value');
    expect(
      fieldOf(() => text({ combinator: 'and', rules: [{ field: 'title', operator: 'eq' }] })).field,
    ).toBe('body.where.rules[0].value');
    expect(
      fieldOf(() =>
        text({
          combinator: 'and',
          path: 'emails',
          rules: [{ field: 'name.givenName', operator: 'pr' }],
        }),
      ).code,
    ).toBe('INVALID_PATH');
  });

  it('limits depth and size', () => {
    let deep: ConditionGroup = { combinator: 'and', rules: [{ field: 'a', operator: 'pr' }] };
    for (let i = 0; i < WHERE_LIMITS.maxDepth; i += 1) deep = { combinator: 'and', rules: [deep] };
    expect(fieldOf(() => text(deep)).code).toBe('VALIDATION_FAILED');
    const wide: ConditionGroup = {
      combinator: 'or',
      rules: Array.from({ length: WHERE_LIMITS.maxNodes + 1 }, () => ({
        field: 'a',
        operator: 'pr' as const,
      })),
    };
    expect(fieldOf(() => text(wide)).field).toBe(`body.where.rules[${WHERE_LIMITS.maxNodes}]`);
  });
});

describe('presets', () => {
  const params: Record<string, Record<string, string>> = {
    'users-in-department': { department: 'Sales" or userName pr or "' },
    'members-of-group': { groupId: 'g-1' },
    'changed-since': { since: '2026-01-31T00:00:00Z' },
    'find-user-by-username': { userName: 'alice@example.com' },
    'groups-by-name': { prefix: 'Eng' },
  };

  it.each(PRESETS.map((p) => p.id))(
    '%s builds a filter that round-trips through the parser',
    (id) => {
      const { filter } = buildPreset(id, params[id] ?? {});
      if (filter)
        expect(formatFilter(parseFilter(formatFilter(filter)))).toBe(formatFilter(filter));
    },
  );

  it('keeps parameter values literal and validates them', () => {
    expect(
      formatFilter(buildPreset('users-in-department', params['users-in-department']!).filter!),
    ).toBe(
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Sales\\" or userName pr or \\""',
    );
    expect(fieldOf(() => buildPreset('changed-since', { since: 'yesterday' }))).toEqual({
      code: 'VALIDATION_FAILED',
      field: 'body.preset.params.since',
    });
    expect(
      fieldOf(() => buildPreset('changed-since', { since: '2026-01-31T00:00:00Z" or "a' })).field,
    ).toBe('body.preset.params.since');
    expect(fieldOf(() => buildPreset('users-in-department', {})).field).toBe(
      'body.preset.params.department',
    );
    expect(fieldOf(() => buildPreset('active-users', { extra: 'x' })).field).toBe(
      'body.preset.params',
    );
    expect(fieldOf(() => buildPreset('nope', {})).field).toBe('body.preset.id');
  });
});
