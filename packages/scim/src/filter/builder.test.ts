import { describe, expect, it } from 'vitest';
import { ScimFilterError } from '../errors.ts';
import { and, compare, eq, gt, not, or, pr, valuePath } from './builder.ts';
import { formatFilter } from './format.ts';

describe('builders', () => {
  it('build frozen nodes from path text or objects', () => {
    const node = eq('name.familyName', 'Jensen');
    expect(node).toEqual({
      kind: 'compare',
      path: { attribute: 'name', subAttribute: 'familyName' },
      op: 'eq',
      value: 'Jensen',
    });
    expect(Object.isFrozen(node)).toBe(true);
    expect(Object.isFrozen(node.path)).toBe(true);
    expect(eq({ attribute: 'userName' }, 'x')).toEqual(eq('userName', 'x'));
    expect(() => {
      (node as { value: unknown }).value = 'y';
    }).toThrow(TypeError);
  });

  it('return a single filter from and()/or() and refuse none', () => {
    const a = pr('a');
    expect(and(a)).toBe(a);
    expect(or(a)).toBe(a);
    expect(() => and()).toThrow(ScimFilterError);
    expect(() => or()).toThrow(ScimFilterError);
  });

  it('refuse bad paths, operators, values and nested value filters', () => {
    expect(() => eq('user name', 'x')).toThrow(
      expect.objectContaining({ scimType: 'invalidPath' }),
    );
    expect(() => eq({ attribute: 'a"b' }, 'x')).toThrow(ScimFilterError);
    expect(() => compare('a', 'xx' as 'eq', 1)).toThrow(ScimFilterError);
    expect(() => gt('a', Number.POSITIVE_INFINITY)).toThrow(ScimFilterError);
    expect(() => eq('a', undefined as unknown as string)).toThrow(ScimFilterError);
    expect(() => valuePath('emails', valuePath('x', pr('y')))).toThrow(/cannot be nested/);
    expect(() => not(undefined as never)).toThrow(ScimFilterError);
  });

  it('never let a value change the shape of the filter', () => {
    const hostile = '" or userName pr or userName eq "';
    expect(formatFilter(and(eq('userName', hostile), eq('active', true)))).toBe(
      'userName eq "\\" or userName pr or userName eq \\"" and active eq true',
    );
  });
});
