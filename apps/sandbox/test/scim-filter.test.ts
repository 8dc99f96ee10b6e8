import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDirectory, SIGN_IN_ACCOUNTS, type Sandbox, type ScimUser } from '../src/index.ts';
import { ENT, q, scim, startTestSandbox } from './helpers.ts';

// Each filter is checked against an expectation computed here, in plain code, from the
// same seeded directory, so the SCIM filter engine is never its own oracle.
let sandbox: Sandbox;
const users: ScimUser[] = generateDirectory({ seed: 42, users: 300 }).users;
const admin = SIGN_IN_ACCOUNTS[0]!;

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(() => sandbox.close());

async function idsFor(filter: string, endpoint = '/Users'): Promise<string[]> {
  const res = await scim(sandbox, endpoint + q({ filter, count: 1000 }));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.totalResults).toBe(res.body.Resources.length);
  return res.body.Resources.map((r: { id: string }) => r.id).sort();
}
const expected = (predicate: (u: ScimUser) => boolean): string[] =>
  users
    .filter(predicate)
    .map((u) => u.id)
    .sort();
const work = (u: ScimUser) => (u.emails ?? []).filter((e) => e.type === 'work');

describe('SCIM filters (RFC 7644 §3.4.2.2 semantics)', () => {
  const cases: [string, string, (u: ScimUser) => boolean][] = [
    [
      'userName eq is case-insensitive',
      `userName eq "${users[10]!.userName.toUpperCase()}"`,
      (u) => u.userName.toLowerCase() === users[10]!.userName.toLowerCase(),
    ],
    ['userName sw', 'userName sw "J"', (u) => u.userName.toLowerCase().startsWith('j')],
    [
      'extension attribute eq',
      `${ENT}:department eq "Sales"`,
      (u) => u[ENT]?.department === 'Sales',
    ],
    [
      'extension attribute is case-insensitive',
      `${ENT}:department eq "sales"`,
      (u) => u[ENT]?.department === 'Sales',
    ],
    [
      'value path with and',
      'emails[type eq "work" and value co "@"]',
      (u) => work(u).some((e) => e.value.includes('@')),
    ],
    [
      'not (value path): users without a work email',
      'not (emails[type eq "work"])',
      (u) => work(u).length === 0,
    ],
    [
      'meta.lastModified gt (dateTime)',
      'meta.lastModified gt "2024-01-01T00:00:00Z"',
      (u) => Date.parse(u.meta.lastModified) > Date.parse('2024-01-01T00:00:00Z'),
    ],
    ['active eq false', 'active eq false', (u) => u.active === false],
    [
      'pr and eq',
      'title pr and userType eq "Contractor"',
      (u) => !!u.title && u.userType === 'Contractor',
    ],
    [
      'sub-attribute co, case-insensitive',
      'name.familyName co "SON"',
      (u) => (u.name?.familyName ?? '').toLowerCase().includes('son'),
    ],
    [
      'grouping with or/and',
      `(${ENT}:department eq "Engineering" or ${ENT}:department eq "Product") and active eq true`,
      (u) => ['Engineering', 'Product'].includes(u[ENT]?.department ?? '') && u.active === true,
    ],
    [
      'multi-valued sub-attribute ew (any value)',
      'emails.value ew "@example.net"',
      (u) => (u.emails ?? []).some((e) => e.value.endsWith('@example.net')),
    ],
    [
      'extension complex sub-attribute',
      `${ENT}:manager.value eq "${admin.id}"`,
      (u) => u[ENT]?.manager?.value === admin.id,
    ],
    [
      'two value paths',
      'phoneNumbers[type eq "mobile"] and addresses[country eq "DE"]',
      (u) =>
        (u.phoneNumbers ?? []).some((p) => p.type === 'mobile') &&
        (u.addresses ?? []).some((a) => a.country === 'DE'),
    ],
    [
      'displayName is case-insensitive',
      `displayName eq "${admin.givenName.toLowerCase()} ${admin.familyName.toUpperCase()}"`,
      (u) => u.id === admin.id,
    ],
    [
      'id is caseExact',
      `id eq "${admin.id.toUpperCase().replace('AD01', 'AD01')}"`,
      (u) => u.id === admin.id.toUpperCase(),
    ],
    ['id eq (keyed lookup)', `id eq "${users[42]!.id}"`, (u) => u.id === users[42]!.id],
    [
      'userName eq and another condition (keyed lookup still checks it)',
      `userName eq "${users[7]!.userName}" and active eq ${String(!users[7]!.active)}`,
      () => false,
    ],
    ['ne on a missing attribute matches', 'nickName ne "x"', (u) => u.nickName !== 'x'],
  ];

  it.each(cases)('%s', async (_name, filter, predicate) => {
    const want = expected(predicate);
    expect(await idsFor(filter)).toEqual(want);
  });

  it('expectations are not trivially empty or total', () => {
    for (const [name, , predicate] of cases) {
      const n = users.filter(predicate).length;
      if (name.startsWith('id is caseExact') || name.includes('still checks')) expect(n).toBe(0);
      else if (name.startsWith('ne on a missing')) expect(n).toBe(300);
      else expect(n, name).toBeGreaterThan(0);
      if (!name.startsWith('ne on')) expect(n, name).toBeLessThan(300);
    }
  });

  it('filters groups by members and displayName', async () => {
    const groups = generateDirectory({ seed: 42, users: 300 }).groups;
    const withAdmin = groups
      .filter((g) => g.members.some((m) => m.value === admin.id))
      .map((g) => g.id)
      .sort();
    expect(withAdmin.length).toBeGreaterThan(0);
    expect(await idsFor(`members.value eq "${admin.id}"`, '/Groups')).toEqual(withAdmin);
    const eng = groups
      .filter((g) => g.displayName.toLowerCase().startsWith('engineering'))
      .map((g) => g.id)
      .sort();
    expect(await idsFor('displayName sw "ENGINEERING"', '/Groups')).toEqual(eng);
  });

  it('rejects bad filters with a SCIM invalidFilter error naming the position', async () => {
    for (const filter of [
      'userName xx "a"',
      'userName eq',
      '(userName eq "a"',
      'userName eq "a" and',
    ]) {
      const res = await scim(sandbox, '/Users' + q({ filter }));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '400',
        scimType: 'invalidFilter',
      });
      expect(res.body.detail).toMatch(/character \d+/);
    }
  });
});
