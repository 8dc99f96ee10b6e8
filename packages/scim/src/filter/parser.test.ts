import { describe, expect, it } from 'vitest';
import { ScimFilterError } from '../errors.ts';
import { and, co, eq, gt, ne, not, or, pr, sw, valuePath } from './builder.ts';
import { formatFilter } from './format.ts';
import type { FilterNode } from './ast.ts';
import { FILTER_LIMITS, parseAttributePath, parseFilter, type FilterSpan } from './parser.ts';
import { tokenizeFilter } from './lexer.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** Every filter of RFC 7644 §3.4.2.2 Figure 2 (and the §3.4.2 case examples), with the AST it means. */
const RFC_EXAMPLES: [string, ReturnType<typeof parseFilter>][] = [
  ['userName eq "bjensen"', eq('userName', 'bjensen')],
  [`name.familyName co "O'Malley"`, co('name.familyName', "O'Malley")],
  ['userName sw "J"', sw('userName', 'J')],
  [`${CORE_USER}:userName sw "J"`, sw({ uri: CORE_USER, attribute: 'userName' }, 'J')],
  ['title pr', pr('title')],
  ['meta.lastModified gt "2011-05-13T04:42:34Z"', gt('meta.lastModified', '2011-05-13T04:42:34Z')],
  [
    'meta.lastModified ge "2011-05-13T04:42:34Z"',
    {
      kind: 'compare',
      path: { attribute: 'meta', subAttribute: 'lastModified' },
      op: 'ge',
      value: '2011-05-13T04:42:34Z',
    },
  ],
  [
    'meta.lastModified lt "2011-05-13T04:42:34Z"',
    {
      kind: 'compare',
      path: { attribute: 'meta', subAttribute: 'lastModified' },
      op: 'lt',
      value: '2011-05-13T04:42:34Z',
    },
  ],
  [
    'meta.lastModified le "2011-05-13T04:42:34Z"',
    {
      kind: 'compare',
      path: { attribute: 'meta', subAttribute: 'lastModified' },
      op: 'le',
      value: '2011-05-13T04:42:34Z',
    },
  ],
  ['title pr and userType eq "Employee"', and(pr('title'), eq('userType', 'Employee'))],
  ['title pr or userType eq "Intern"', or(pr('title'), eq('userType', 'Intern'))],
  [`schemas eq "${ENTERPRISE}"`, eq('schemas', ENTERPRISE)],
  [
    'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
    and(
      eq('userType', 'Employee'),
      or(co('emails', 'example.com'), co('emails.value', 'example.org')),
    ),
  ],
  [
    'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
    and(
      ne('userType', 'Employee'),
      not(or(co('emails', 'example.com'), co('emails.value', 'example.org'))),
    ),
  ],
  [
    'userType eq "Employee" and (emails.type eq "work")',
    and(eq('userType', 'Employee'), eq('emails.type', 'work')),
  ],
  [
    'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
    and(
      eq('userType', 'Employee'),
      valuePath('emails', and(eq('type', 'work'), co('value', '@example.com'))),
    ),
  ],
  [
    'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
    or(
      valuePath('emails', and(eq('type', 'work'), co('value', '@example.com'))),
      valuePath('ims', and(eq('type', 'xmpp'), co('value', '@foo.com'))),
    ),
  ],
  ['userName Eq "john"', eq('userName', 'john')],
  ['Username eq "john"', eq('Username', 'john')],
  ['displayName sw "smith"', sw('displayName', 'smith')],
];

describe('parseFilter: RFC 7644 §3.4.2.2 examples', () => {
  it.each(RFC_EXAMPLES)('%s', (text, expected) => {
    const ast = parseFilter(text);
    expect(ast).toEqual(expected);
    expect(parseFilter(formatFilter(ast))).toEqual(ast);
  });
});

describe('parseFilter: grammar', () => {
  it('reads operators, and/or/not case-insensitively and keeps names as written', () => {
    expect(parseFilter('UserName EQ "x" AND Title PR OR NOT (active Eq true)')).toEqual(
      or(and(eq('UserName', 'x'), pr('Title')), not(eq('active', true))),
    );
  });

  it('binds and tighter than or', () => {
    expect(parseFilter('a eq 1 or b eq 2 and c eq 3')).toEqual(
      or(eq('a', 1), and(eq('b', 2), eq('c', 3))),
    );
    expect(parseFilter('a eq 1 and b eq 2 or c eq 3')).toEqual(
      or(and(eq('a', 1), eq('b', 2)), eq('c', 3)),
    );
    expect(parseFilter('(a eq 1 or b eq 2) and c eq 3')).toEqual(
      and(or(eq('a', 1), eq('b', 2)), eq('c', 3)),
    );
  });

  it('keeps a chain flat and a parenthesised group as its own node', () => {
    expect(parseFilter('a pr and b pr and c pr')).toEqual(and(pr('a'), pr('b'), pr('c')));
    expect(parseFilter('a pr and (b pr and c pr)')).toEqual(and(pr('a'), and(pr('b'), pr('c'))));
    expect(parseFilter('((a pr))')).toEqual(pr('a'));
  });

  it('accepts not( and not ( (erratum 7319), and not inside value filters', () => {
    expect(parseFilter('not(a pr)')).toEqual(not(pr('a')));
    expect(parseFilter('not  (a pr)')).toEqual(not(pr('a')));
    expect(parseFilter('emails[not (type eq "work")]')).toEqual(
      valuePath('emails', not(eq('type', 'work'))),
    );
  });

  it('splits URN-qualified paths at the last colon', () => {
    expect(
      parseFilter(`${ENTERPRISE}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`),
    ).toEqual(
      eq(
        { uri: ENTERPRISE, attribute: 'manager', subAttribute: 'value' },
        '26118915-6090-4610-87e4-49d8ca9f808d',
      ),
    );
    expect(parseFilter(`${CORE_USER}:name.familyName eq "Jensen"`)).toEqual(
      eq({ uri: CORE_USER, attribute: 'name', subAttribute: 'familyName' }, 'Jensen'),
    );
    expect(parseFilter(`${CORE_USER}:emails[type eq "work"]`)).toEqual(
      valuePath({ uri: CORE_USER, attribute: 'emails' }, eq('type', 'work')),
    );
  });

  it('accepts members.$ref, names with - and _ and digits', () => {
    expect(parseFilter('members.$ref pr')).toEqual(
      pr({ attribute: 'members', subAttribute: '$ref' }),
    );
    expect(parseFilter('x-custom_attr2 eq 1')).toEqual(eq('x-custom_attr2', 1));
  });

  it('reads every JSON string escape, including surrogate pairs', () => {
    const text = String.raw`v eq "q\" b\\ s\/ \b\f\n\r\t \u00e9 \u00C9 \ud83d\ude00 \u2028"`;
    expect(parseFilter(text)).toEqual(eq('v', 'q" b\\ s/ \b\f\n\r\t é É 😀 \u2028'));
    expect(parseFilter('v eq "😀 日本"')).toEqual(eq('v', '😀 日本'));
    expect(parseFilter('v eq ""')).toEqual(eq('v', ''));
    expect(parseFilter(String.raw`v eq "\ud800"`)).toEqual(eq('v', '\ud800'));
  });

  it('reads JSON numbers and lowercase literals', () => {
    const value = (text: string) => (parseFilter(`x eq ${text}`) as { value: unknown }).value;
    expect(value('0')).toBe(0);
    expect(value('-0')).toBe(-0);
    expect(value('42')).toBe(42);
    expect(value('-1.5')).toBe(-1.5);
    expect(value('2e10')).toBe(2e10);
    expect(value('1.5E-3')).toBe(0.0015);
    expect(value('6.02e+23')).toBe(6.02e23);
    expect(value('true')).toBe(true);
    expect(value('false')).toBe(false);
    expect(value('null')).toBe(null);
  });

  it('accepts True/NULL only with caseInsensitiveLiterals', () => {
    expect(() => parseFilter('active eq True')).toThrow(/write true instead of True/);
    expect(parseFilter('active eq True', { caseInsensitiveLiterals: true })).toEqual(
      eq('active', true),
    );
  });

  it('accepts extra whitespace, tabs and newlines where the RFC has one space', () => {
    expect(parseFilter('  userName\teq\n"x"   and ( title pr )  ')).toEqual(
      and(eq('userName', 'x'), pr('title')),
    );
  });

  it('treats and/or/not as attribute names where an attribute is expected', () => {
    expect(parseFilter('not pr and or eq 1')).toEqual(and(pr('not'), eq('or', 1)));
  });

  it('accepts the Entra form emails[type eq "work"].value eq "x" only under allowNonRfcForms', () => {
    const text = 'emails[type eq "work"].value eq "x"';
    expect(() => parseFilter(text)).toThrow(ScimFilterError);
    const ast = parseFilter(text, { allowNonRfcForms: true });
    expect(ast).toMatchObject({ kind: 'valuePath', form: 'subAttributeAfterFilter' });
    expect(formatFilter(ast)).toBe('emails[type eq "work" and value eq "x"]');
    expect(
      formatFilter(
        parseFilter('emails[type eq "work" or primary eq true].value pr', {
          allowNonRfcForms: true,
        }),
      ),
    ).toBe('emails[(type eq "work" or primary eq true) and value pr]');
  });
});

describe('parseFilter: injection stays data', () => {
  it('keeps a hostile value one string literal', () => {
    const hostile = '" or userName pr or userName eq "';
    const built = eq('userName', hostile);
    const text = formatFilter(built);
    expect(text).toBe('userName eq "\\" or userName pr or userName eq \\""');
    expect(parseFilter(text)).toEqual(built);
    for (const v of [
      'x") or (userName pr',
      'x"] or emails[value pr',
      'a\\',
      '\\"',
      ')',
      ']',
      '\n',
      '\u0000',
    ]) {
      expect(parseFilter(formatFilter(eq('userName', v)))).toEqual(eq('userName', v));
    }
  });
});

/** [text, code, position] — every invalid form named in issue 2, with where it is reported. */
const INVALID: [string, string, number][] = [
  ['', 'EMPTY_FILTER', 0],
  ['   ', 'EMPTY_FILTER', 0],
  ['userName', 'EXPECTED_OPERATOR', 8],
  ['userName "bjensen"', 'EXPECTED_OPERATOR', 9],
  ['userName np "x"', 'UNKNOWN_OPERATOR', 9],
  ['userName == "x"', 'UNEXPECTED_CHARACTER', 9],
  ['userName eq', 'EXPECTED_VALUE', 11],
  ['userName eq )', 'EXPECTED_VALUE', 12],
  ['userName eq bjensen', 'EXPECTED_VALUE', 12],
  ["userName eq 'bjensen'", 'UNEXPECTED_CHARACTER', 12],
  ['userName eq "x" and', 'UNEXPECTED_END', 19],
  ['userName eq "x" and ', 'UNEXPECTED_END', 20],
  ['userName eq "x" or', 'UNEXPECTED_END', 18],
  ['and userName eq "x"', 'UNKNOWN_OPERATOR', 4],
  ['title pr "x"', 'PRESENT_WITH_VALUE', 9],
  ['title pr true', 'PRESENT_WITH_VALUE', 9],
  ['userName eq "x', 'UNTERMINATED_STRING', 12],
  ['userName eq "x\\', 'UNTERMINATED_STRING', 12],
  ['userName eq "\\x"', 'INVALID_ESCAPE', 13],
  ['userName eq "\\u12"', 'INVALID_ESCAPE', 13],
  ['userName eq "\\u12G4"', 'INVALID_ESCAPE', 13],
  ['userName eq "a\tb"', 'CONTROL_CHARACTER', 14],
  ['(userName eq "x"', 'UNBALANCED_PARENTHESES', 16],
  ['userName eq "x")', 'UNBALANCED_PARENTHESES', 15],
  ['((a pr)', 'UNBALANCED_PARENTHESES', 7],
  ['()', 'UNEXPECTED_TOKEN', 1],
  ['emails[type eq "work"', 'UNBALANCED_BRACKETS', 21],
  ['emails type eq "work"]', 'UNKNOWN_OPERATOR', 7],
  ['a pr]', 'UNBALANCED_BRACKETS', 4],
  ['emails[]', 'UNEXPECTED_TOKEN', 7],
  ['emails[(type eq "work"]', 'UNBALANCED_PARENTHESES', 22],
  ['emails[type eq "work")', 'UNBALANCED_BRACKETS', 21],
  ['emails[type eq "work" and addresses[type eq "home"]]', 'NESTED_VALUE_PATH', 35],
  ['emails[type eq "work"].value eq "x"', 'NON_RFC_FORM', 22],
  ['not userName eq "x"', 'UNEXPECTED_TOKEN', 4],
  ['userName eq "x" userName eq "y"', 'UNEXPECTED_TOKEN', 16],
  ['userName eq "x" nand title pr', 'UNEXPECTED_TOKEN', 16],
  ['a eq 1 && b eq 2', 'UNEXPECTED_CHARACTER', 7],
  ['a eq 01', 'INVALID_NUMBER', 5],
  ['a eq 1.', 'INVALID_NUMBER', 5],
  ['a eq .5', 'UNEXPECTED_CHARACTER', 5],
  ['a eq 1e', 'INVALID_NUMBER', 5],
  ['a eq -', 'INVALID_NUMBER', 5],
  ['a eq 12abc', 'INVALID_NUMBER', 5],
  ['a eq +1', 'UNEXPECTED_CHARACTER', 5],
  ['a eq NaN', 'EXPECTED_VALUE', 5],
  ['a eq TRUE', 'INVALID_LITERAL', 5],
  ['name.familyName.x eq 1', 'INVALID_ATTRIBUTE_PATH', 4],
  ['name. eq 1', 'INVALID_ATTRIBUTE_PATH', 5],
  ['urn:x: eq 1', 'INVALID_ATTRIBUTE_PATH', 6],
  ['1abc eq 1', 'INVALID_NUMBER', 0],
  ['userName eq"x"', 'MISSING_WHITESPACE', 11],
  ['a pr and(b pr)', 'MISSING_WHITESPACE', 8],
  ['(a pr)and b pr', 'MISSING_WHITESPACE', 6],
];

describe('parseFilter: invalid input', () => {
  it.each(INVALID)('%j → %s at %i', (text, code, position) => {
    let error: unknown;
    try {
      parseFilter(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScimFilterError);
    expect(error).toMatchObject({ code, position, scimType: 'invalidFilter' });
    expect((error as Error).message).toContain(`position ${position}`);
  });

  it('says what is missing in words a person understands', () => {
    expect(() => parseFilter('userName "bjensen"')).toThrow(
      'Expected a comparison operator after "userName" at position 9',
    );
    expect(() => parseFilter('(userName eq "x"')).toThrow(
      'Expected ")" at position 16 to close the "(" at position 0',
    );
    expect(() => parseFilter('not userName eq "x"')).toThrow(/"not" applies to a group/);
    expect(() => parseFilter('emails[type eq "work"].value eq "x"')).toThrow(
      /not RFC 7644 filter grammar/,
    );
  });
});

describe('parseFilter: limits', () => {
  it('documents its defaults', () => {
    expect(FILTER_LIMITS).toMatchObject({ maxLength: 10_000, maxDepth: 50 });
  });

  it('rejects text longer than maxLength', () => {
    const long = `userName eq "${'x'.repeat(FILTER_LIMITS.maxLength)}"`;
    expect(() => parseFilter(long)).toThrow(expect.objectContaining({ code: 'FILTER_TOO_LONG' }));
    expect(parseFilter(long, { maxLength: 20_000 })).toEqual(
      eq('userName', 'x'.repeat(FILTER_LIMITS.maxLength)),
    );
    expect(() => parseFilter('a pr and b pr', { maxLength: 5 })).toThrow(
      expect.objectContaining({ code: 'FILTER_TOO_LONG', position: 5 }),
    );
  });

  it('rejects nesting deeper than maxDepth, counting ( ), not ( ) and [ ]', () => {
    const nested = (n: number) => `${'('.repeat(n)}a pr${')'.repeat(n)}`;
    expect(parseFilter(nested(50))).toEqual(pr('a'));
    expect(() => parseFilter(nested(51))).toThrow(
      expect.objectContaining({ code: 'FILTER_TOO_DEEP', position: 50 }),
    );
    expect(() => parseFilter(nested(3), { maxDepth: 2 })).toThrow(
      expect.objectContaining({ code: 'FILTER_TOO_DEEP' }),
    );
    expect(() => parseFilter('not (not (emails[type pr]))', { maxDepth: 2 })).toThrow(
      expect.objectContaining({ code: 'FILTER_TOO_DEEP', position: 16 }),
    );
  });

  it('rejects 100,000 nested parentheses with a ScimFilterError, never a stack overflow', () => {
    const deep = `${'('.repeat(100_000)}a pr${')'.repeat(100_000)}`;
    expect(() => parseFilter(deep)).toThrow(expect.objectContaining({ code: 'FILTER_TOO_LONG' }));
    // Even with the limits lifted, depth stays capped at FILTER_LIMITS.hardMaxDepth.
    expect(() => parseFilter(deep, { maxLength: Infinity, maxDepth: Infinity })).toThrow(
      expect.objectContaining({ code: 'FILTER_TOO_DEEP', position: FILTER_LIMITS.hardMaxDepth }),
    );
    const notChain = `${'not ('.repeat(100_000)}a pr${')'.repeat(100_000)}`;
    expect(() => parseFilter(notChain, { maxLength: Infinity, maxDepth: Infinity })).toThrow(
      ScimFilterError,
    );
  });

  it('handles a long flat chain without recursion trouble', () => {
    const chain = Array.from({ length: 2_000 }, (_, i) => `a${i} pr`).join(' or ');
    const ast = parseFilter(chain, { maxLength: 100_000 });
    expect(ast.kind === 'or' && ast.filters.length).toBe(2_000);
  });
});

describe('parseFilter: spans', () => {
  it('records where each node was written', () => {
    const text = 'not (a pr) or emails[type eq "work"] and b eq "x y"';
    const spans = new Map<FilterNode, FilterSpan>();
    const ast = parseFilter(text, { spans });
    const shown: string[] = [];
    for (const [, span] of spans) shown.push(text.slice(span.start, span.end));
    expect(shown.sort()).toEqual(
      [
        'a pr',
        'b eq "x y"',
        'emails[type eq "work"]',
        'emails[type eq "work"] and b eq "x y"',
        'not (a pr)',
        text,
        'type eq "work"',
      ].sort(),
    );
    expect(spans.get(ast)).toEqual({ start: 0, end: text.length });
  });
});

describe('parseAttributePath', () => {
  it('reads plain, sub-attribute and URN-qualified paths', () => {
    expect(parseAttributePath('userName')).toEqual({ attribute: 'userName' });
    expect(parseAttributePath(' name.givenName ')).toEqual({
      attribute: 'name',
      subAttribute: 'givenName',
    });
    expect(parseAttributePath(`${ENTERPRISE}:manager.value`)).toEqual({
      uri: ENTERPRISE,
      attribute: 'manager',
      subAttribute: 'value',
    });
  });

  it('rejects anything else with scimType invalidPath', () => {
    for (const bad of ['', 'emails[type eq "work"]', 'a.b.c', '1st', 'user name', 'a:', 'x"y']) {
      expect(() => parseAttributePath(bad)).toThrow(
        expect.objectContaining({ scimType: 'invalidPath' }),
      );
    }
  });
});

describe('tokenizeFilter', () => {
  it('classifies tokens for highlighting and never throws', () => {
    const tokens = tokenizeFilter('userName eq "x" and not (active eq true)');
    expect(tokens.map((t) => t.kind)).toEqual([
      'attribute',
      'operator',
      'string',
      'logical',
      'logical',
      'paren',
      'attribute',
      'operator',
      'literal',
      'paren',
    ]);
    expect(tokens[2]).toMatchObject({ start: 12, end: 15, text: '"x"' });
    expect(tokenizeFilter('userName eq "unterminated').map((t) => t.kind)).toEqual([
      'attribute',
      'operator',
      'invalid',
    ]);
  });
});
