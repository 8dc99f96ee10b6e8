// A corpus of valid and invalid filters run through the package entry, the way
// an outside checker would: valid ones must survive parse → format → parse
// unchanged, invalid ones must throw ScimFilterError (invalidFilter) and nothing else.

import { describe, expect, it } from 'vitest';
import { ScimFilterError, formatFilter, parseFilter } from '../index.ts';

const VALID = [
  // RFC 7644 §3.4.2.2 and §3.4.3
  'userName eq "bjensen"',
  'name.familyName co "O\'Malley"',
  'userName sw "J"',
  'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"',
  'title pr',
  'meta.lastModified gt "2011-05-13T04:42:34Z"',
  'title pr and userType eq "Employee"',
  'title pr or userType eq "Intern"',
  'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
  'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
  'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
  'userType eq "Employee" and (emails.type eq "work")',
  'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
  'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
  'userName Eq "john"',
  'Username eq "john"',
  // case, spacing, grouping
  'USERNAME EQ "x" AND TITLE PR',
  'not(title pr)',
  'NOT (title pr)',
  'not (not (title pr))',
  '((userName eq "x"))',
  '(userName eq "x") and (title pr)',
  ' userName eq "x" ',
  'userName eq "x" or title pr and active eq true',
  '(userName eq "x" or title pr) and active eq true',
  'a pr and b pr and c pr or d pr or e pr and f pr',
  'emails[not (type eq "work")]',
  'emails[(type eq "work" or type eq "home") and primary eq true]',
  'emails[type eq "work"] and emails[primary eq true]',
  // paths
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915"',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"',
  'urn:ietf:params:scim:schemas:core:2.0:User:name.familyName eq "Jensen"',
  'urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"]',
  'urn:acme-corp:scim:ext:1.0:User:cost_center-2 eq "x"',
  'members.$ref pr',
  'x-attr_1 eq 1',
  'meta.resourceType eq "User"',
  // keywords as attribute names
  'not pr',
  'and eq 1',
  'or eq "x" and pr pr',
  'eq eq "eq"',
  // literals
  'active eq true',
  'active eq false',
  'title eq null',
  'n eq 0',
  'n eq -0',
  'n gt -1.5e3',
  'n lt 6.02E+23',
  'n le 1e-7',
  'n eq 12345678901234567890',
  'n eq 1e400',
  'x eq ""',
  'x eq "\\"\\\\\\/\\b\\f\\n\\r\\t"',
  'x eq "\\u00e9\\u00C9"',
  'x eq "\\ud83d\\ude00"',
  'x eq "\\ud800"',
  'x eq "😀 日本語 é"',
  'x eq "a)b]c(d[e"',
  'x eq "userName eq \\"y\\" or title pr"',
  'x eq "\u007f"',
];

const INVALID = [
  '',
  '   ',
  'userName',
  'userName eq',
  'userName "bjensen"',
  'userName eq bjensen',
  "userName eq 'bjensen'",
  'userName == "x"',
  'userName np "x"',
  'userName eq "x" and',
  'userName eq "x" or',
  'and userName eq "x"',
  'userName eq "x" userName eq "y"',
  'title pr "x"',
  'title pr true',
  'title pr pr',
  '(userName eq "x"',
  'userName eq "x")',
  '(userName eq "x"))',
  '()',
  '(())',
  'not ()',
  'not userName eq "x"',
  'not title pr',
  'emails[type eq "work"',
  'emails type eq "work"]',
  'emails[]',
  'emails[type eq "work"].value eq "x"',
  'emails[type eq "work"].value',
  'emails[type eq "work"] pr',
  'emails[type eq "work" and addresses[type eq "home"]]',
  '[type eq "work"]',
  'userName eq "x',
  'userName eq "x\\"',
  'userName eq "\\x"',
  'userName eq "\\u12"',
  'userName eq "\\u12G4"',
  'userName eq "a\tb"',
  'userName eq "a\nb"',
  'n eq 01',
  'n eq 1.',
  'n eq .5',
  'n eq +1',
  'n eq 1e',
  'n eq -',
  'n eq 12abc',
  'n eq 0x10',
  'n eq NaN',
  'n eq Infinity',
  'active eq True',
  'active eq FALSE',
  'title eq Null',
  'name.familyName.x eq "y"',
  'name. eq "y"',
  '.name eq "y"',
  '_id eq "1"',
  '1abc eq "1"',
  'urn:x: eq 1',
  'user name eq "x"',
  'userName eq "x" && title pr',
  'userName eq "x" || title pr',
  '!(title pr)',
  'userName eq"x"',
  'title pr and(active eq true)',
  '(title pr)and(active eq true)',
  'userName eq "x" and not',
  'userName eq "x" and not (',
  'userName ~= "x"',
];

describe('corpus through the package entry', () => {
  it.each(VALID)('valid: %s', (text) => {
    const ast = parseFilter(text);
    const canonical = formatFilter(ast);
    expect(parseFilter(canonical)).toEqual(ast);
    expect(formatFilter(parseFilter(canonical))).toBe(canonical);
  });

  it.each(INVALID)('invalid: %j', (text) => {
    let error: unknown;
    try {
      parseFilter(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScimFilterError);
    expect(error).toMatchObject({ scimType: 'invalidFilter' });
  });
});
