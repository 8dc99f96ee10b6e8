import { describe, expect, it } from 'vitest';
import { ScimFilterError } from '../errors.ts';
import type { FilterNode } from './ast.ts';
import { and, co, eq, ge, not, or, pr, valuePath } from './builder.ts';
import { formatAttributePath, formatFilter } from './format.ts';
import { parseFilter } from './parser.ts';

describe('formatFilter', () => {
  it('writes operators in lowercase and names as written', () => {
    expect(formatFilter(parseFilter('UserName EQ "Bjensen" AND Title PR'))).toBe(
      'UserName eq "Bjensen" and Title pr',
    );
  });

  it('adds parentheses where precedence needs them and around every nested group', () => {
    expect(formatFilter(or(eq('a', 1), and(eq('b', 2), eq('c', 3))))).toBe(
      'a eq 1 or (b eq 2 and c eq 3)',
    );
    expect(formatFilter(and(or(eq('a', 1), eq('b', 2)), eq('c', 3)))).toBe(
      '(a eq 1 or b eq 2) and c eq 3',
    );
    expect(formatFilter(and(and(pr('a'), pr('b')), pr('c')))).toBe('(a pr and b pr) and c pr');
    expect(formatFilter(or(or(pr('a'), pr('b')), pr('c')))).toBe('(a pr or b pr) or c pr');
    expect(formatFilter(and(pr('a'), pr('b'), pr('c')))).toBe('a pr and b pr and c pr');
  });

  it('writes not with a space and its group in parentheses, value filters without extra ones', () => {
    expect(formatFilter(not(pr('title')))).toBe('not (title pr)');
    expect(formatFilter(not(and(pr('a'), pr('b'))))).toBe('not (a pr and b pr)');
    expect(formatFilter(valuePath('emails', or(eq('type', 'work'), eq('primary', true))))).toBe(
      'emails[type eq "work" or primary eq true]',
    );
  });

  it('escapes strings like JSON.stringify, plus U+2028 and U+2029', () => {
    expect(formatFilter(eq('x', 'a"b\\c\n\t\u0001'))).toBe('x eq "a\\"b\\\\c\\n\\t\\u0001"');
    expect(formatFilter(eq('x', 'line\u2028para\u2029'))).toBe('x eq "line\\u2028para\\u2029"');
    expect(formatFilter(eq('x', '\ud800'))).toBe('x eq "\\ud800"');
    expect(formatFilter(eq('x', 'é😀'))).toBe('x eq "é😀"');
  });

  it('writes numbers as JSON, keeping -0, and literals unquoted', () => {
    expect(formatFilter(ge('n', 1e21))).toBe('n ge 1e+21');
    expect(formatFilter(eq('n', -0))).toBe('n eq -0');
    expect(formatFilter(eq('n', 0.1))).toBe('n eq 0.1');
    expect(formatFilter(eq('b', false))).toBe('b eq false');
    expect(formatFilter(eq('z', null))).toBe('z eq null');
    // JSON allows 1e400, which reads as Infinity: it must survive a round trip.
    const huge = parseFilter('n gt 1e400 and n lt -1e400');
    expect(formatFilter(huge)).toBe('n gt 1e999 and n lt -1e999');
    expect(parseFilter(formatFilter(huge))).toEqual(huge);
  });

  it('round-trips canonical text unchanged', () => {
    for (const text of [
      'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "x" or not (a pr)',
      'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      'meta.lastModified gt "2011-05-13T04:42:34Z"',
    ]) {
      expect(formatFilter(parseFilter(text))).toBe(text);
    }
  });

  it('refuses hand-made nodes that would not read back', () => {
    const bad: unknown[] = [
      { kind: 'compare', path: { attribute: 'userName eq "x" or a' }, op: 'eq', value: 'x' },
      { kind: 'compare', path: { attribute: 'a', uri: 'urn:x" or' }, op: 'eq', value: 'x' },
      { kind: 'compare', path: { attribute: 'a', subAttribute: 'b c' }, op: 'eq', value: 'x' },
      { kind: 'compare', path: { attribute: 'a' }, op: 'eq 1 or a', value: 'x' },
      { kind: 'compare', path: { attribute: 'a' }, op: 'eq', value: Number.NaN },
      { kind: 'compare', path: { attribute: 'a' }, op: 'eq', value: undefined },
      { kind: 'compare', path: { attribute: 'a' }, op: 'eq', value: {} },
      { kind: 'and', filters: [{ kind: 'present', path: { attribute: 'a' } }] },
      { kind: 'xor', filters: [] },
      null,
    ];
    for (const node of bad) {
      expect(() => formatFilter(node as FilterNode)).toThrow(ScimFilterError);
    }
  });

  it('refuses absurdly deep built filters with an error, not a stack overflow', () => {
    let deep: FilterNode = pr('a');
    for (let i = 0; i < 100_000; i++) deep = not(deep);
    expect(() => formatFilter(deep)).toThrow(expect.objectContaining({ code: 'FILTER_TOO_DEEP' }));
  });

  it('formats attribute paths with URN and sub-attribute', () => {
    expect(
      formatAttributePath({
        uri: 'urn:ietf:params:scim:schemas:core:2.0:User',
        attribute: 'name',
        subAttribute: 'givenName',
      }),
    ).toBe('urn:ietf:params:scim:schemas:core:2.0:User:name.givenName');
  });

  it('formats the output of every builder so it parses back to the same node', () => {
    const node = and(
      co('emails.value', '@example.com'),
      or(pr('title'), not(valuePath('addresses', eq('type', 'home')))),
    );
    expect(parseFilter(formatFilter(node))).toEqual(node);
  });
});
