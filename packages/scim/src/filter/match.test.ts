import { describe, expect, it } from 'vitest';
import { ScimFilterError } from '../errors.ts';
import { SCHEMA_URNS } from '../schema/core-schemas.ts';
import { coreSchemaModel } from '../schema/schema-model.ts';
import { compileFilter, isPresent, matchFilter } from './match.ts';
import { parseFilter } from './parser.ts';

const ENTERPRISE = SCHEMA_URNS.enterpriseUser;
const users = { schema: coreSchemaModel(), resourceType: 'User' };
const groups = { schema: coreSchemaModel(), resourceType: 'Group' };

// Shaped like RFC 7643 §8.3 (full User representation).
const babs = {
  schemas: [SCHEMA_URNS.user, ENTERPRISE],
  id: '2819c223-7f76-453a-919d-413861904646',
  externalId: '701984',
  userName: 'bjensen@example.com',
  name: { formatted: 'Ms. Barbara J Jensen, III', familyName: "O'Malley", givenName: 'Barbara' },
  displayName: 'Babs Jensen',
  title: 'Tour Guide',
  userType: 'Employee',
  active: true,
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  ims: [{ value: 'someaimhandle', type: 'aim' }],
  nickName: '',
  x509Certificates: [],
  addresses: [{}],
  meta: {
    resourceType: 'User',
    created: '2010-01-23T04:56:22Z',
    lastModified: '2011-05-13T04:42:34Z',
    version: 'W/"3694e05e9dff591"',
  },
  [ENTERPRISE]: {
    employeeNumber: '701984',
    costCenter: '4130',
    manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d', displayName: 'John Smith' },
  },
};
const intern = {
  schemas: [SCHEMA_URNS.user],
  id: 'abc',
  userName: 'Intern1',
  userType: 'Intern',
  active: false,
  emails: [{ value: 'intern@example.org', type: 'work' }],
  meta: { created: '2011-05-13T06:42:34+02:00', lastModified: '2011-05-14T00:00:00Z' },
};

const matches = (filter: string, resource: object = babs) =>
  matchFilter(parseFilter(filter), resource, users);

describe('matchFilter', () => {
  it.each([
    ['userName eq "bjensen@example.com"', true],
    ['userName eq "BJENSEN@EXAMPLE.COM"', true], // userName is caseExact false
    [`name.familyName co "O'Malley"`, true],
    ['userName sw "J"', false],
    ['userName sw "B"', true],
    [`${SCHEMA_URNS.user}:userName sw "bj"`, true],
    ['title pr', true],
    ['nickName pr', false], // "" is not present
    ['x509Certificates pr', false], // [] is not present
    ['addresses pr', false], // [{}] is not present
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', false],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', true],
    ['meta.lastModified lt "2011-05-13T04:42:35Z"', true],
    ['meta.lastModified le "2011-05-13T04:42:33Z"', false],
    ['title pr and userType eq "Employee"', true],
    ['title pr or userType eq "Intern"', true],
    [`schemas eq "${ENTERPRISE}"`, true],
    ['userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', true],
    [
      'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
      false,
    ],
    ['userType eq "Employee" and (emails.type eq "work")', true],
    ['userType eq "Employee" and emails[type eq "work" and value co "@example.com"]', true],
    ['emails[type eq "home" and value co "@example.com"]', false], // per element, not across elements
    [
      'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      true,
    ],
    ['emails[not (type eq "work")]', true],
    ['emails co "JENSEN.ORG"', true], // complex attribute without sub-attribute → its value
    ['emails.value ew ".org"', true],
  ])('%s → %s', (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });

  it('compares id case-exactly and userName case-insensitively', () => {
    expect(matches('id eq "2819C223-7F76-453A-919D-413861904646"')).toBe(false);
    expect(matches('id eq "2819c223-7f76-453a-919d-413861904646"')).toBe(true);
    expect(matches('UserName Eq "bjensen@EXAMPLE.com"')).toBe(true);
  });

  it('reads extension attributes from under their URN key', () => {
    expect(matches(`${ENTERPRISE}:employeeNumber eq "701984"`)).toBe(true);
    expect(matches(`${ENTERPRISE}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`)).toBe(
      true,
    );
    expect(matches(`${ENTERPRISE}:manager.displayName sw "john"`)).toBe(true);
    expect(matches('employeeNumber eq "701984"')).toBe(true);
    expect(matches(`${ENTERPRISE}:employeeNumber pr`, intern)).toBe(false);
  });

  it('orders dateTime values by instant, whatever the offset', () => {
    // 06:42:34+02:00 is 04:42:34Z.
    expect(matches('meta.created eq "2011-05-13T04:42:34Z"', intern)).toBe(true);
    expect(matches('meta.created gt "2011-05-13T04:00:00Z"', intern)).toBe(true);
    expect(matches('meta.created lt "2011-05-13T06:00:00+01:00"', intern)).toBe(true);
    expect(matches('meta.created lt "2011-05-13T05:00:00+01:00"', intern)).toBe(false);
  });

  it('compares other strings lexicographically', () => {
    expect(matches('displayName gt "Babs"')).toBe(true);
    expect(matches('displayName lt "babs jensen"')).toBe(false);
    expect(matches('displayName le "babs jensen"')).toBe(true);
  });

  it('matches booleans and null', () => {
    expect(matches('active eq true')).toBe(true);
    expect(matches('active eq false', intern)).toBe(true);
    expect(matches('active eq "true"')).toBe(false);
    expect(matches('title eq null', intern)).toBe(true);
    expect(matches('title ne null')).toBe(true);
  });

  it('treats ne as "no value, or some value differs"', () => {
    expect(matches('title ne "Tour Guide"', intern)).toBe(true);
    expect(matches('title ne "tour guide"')).toBe(false);
    expect(matches('emails.type ne "work"')).toBe(true);
    expect(matches('emails.type ne "work"', intern)).toBe(false);
  });

  it('rejects ordering on boolean attributes like a server must (invalidFilter)', () => {
    expect(() => compileFilter(parseFilter('active gt true'), users)).toThrow(
      expect.objectContaining({ code: 'OPERATOR_TYPE_MISMATCH', scimType: 'invalidFilter' }),
    );
    expect(() => matches('x509Certificates.value lt "a"')).toThrow(ScimFilterError);
  });

  it('reads attributes whatever the case of the resource keys', () => {
    expect(matches('userName eq "x"', { USERNAME: 'X' })).toBe(true);
    expect(matches('emails[TYPE eq "work"]', { Emails: [{ Type: 'work' }] })).toBe(true);
  });

  it('matches attributes the schema does not know by name, case-insensitively', () => {
    expect(matches('nickname2 eq "Bee"', { nickName2: 'bee' })).toBe(true);
    expect(matches('urn:example:ext:level gt 3', { 'urn:example:ext': { level: 4 } })).toBe(true);
  });

  it('evaluates Group members', () => {
    const group = { displayName: 'Tour Guides', members: [{ value: 'abc', type: 'User' }] };
    expect(matchFilter(parseFilter('members[value eq "abc"]'), group, groups)).toBe(true);
    expect(matchFilter(parseFilter('members.value eq "ABC"'), group, groups)).toBe(true); // caseExact false in RFC 7643
    expect(matchFilter(parseFilter('members[type eq "Group"]'), group, groups)).toBe(false);
  });

  it('filters many resources with one compiled predicate', () => {
    const many = Array.from({ length: 1_000 }, (_, i) => ({
      userName: `user${i}`,
      active: i % 2 === 0,
    }));
    const predicate = compileFilter(parseFilter('active eq true and userName sw "USER1"'), users);
    expect(many.filter(predicate).length).toBe(55);
  });

  it('knows what is present', () => {
    expect([null, undefined, '', [], {}, [null, ''], { a: null }].map(isPresent)).toEqual(
      Array(7).fill(false),
    );
    expect([0, false, 'x', [0], { a: 0 }].map(isPresent)).toEqual(Array(5).fill(true));
  });
});
