import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDirectory, SIGN_IN_ACCOUNTS, type Sandbox, type ScimUser } from '../src/index.ts';
import { ENT, q, scim, startTestSandbox } from './helpers.ts';

let sandbox: Sandbox;
const directory = generateDirectory({ seed: 42, users: 300 });
const users: ScimUser[] = directory.users;
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(() => sandbox.close());

describe('discovery', () => {
  it('serves a truthful ServiceProviderConfig with RFC 9865 pagination', async () => {
    const { status, body } = await scim(sandbox, '/ServiceProviderConfig');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true, maxResults: 1000 },
      sort: { supported: true },
      etag: { supported: true },
      pagination: { cursor: true, index: true, defaultPageSize: 100, maxPageSize: 1000 },
    });
    expect(body.authenticationSchemes[0].type).toBe('oauthbearertoken');
  });

  it('lists the User, Group and EnterpriseUser schemas and both resource types', async () => {
    const schemas = await scim(sandbox, '/Schemas');
    expect(schemas.body.Resources.map((s: { id: string }) => s.id).sort()).toEqual(
      [
        'urn:ietf:params:scim:schemas:core:2.0:Group',
        'urn:ietf:params:scim:schemas:core:2.0:User',
        ENT,
      ].sort(),
    );
    const types = await scim(sandbox, '/ResourceTypes');
    const user = types.body.Resources.find((r: { id: string }) => r.id === 'User');
    expect(user).toMatchObject({
      endpoint: '/Users',
      schemaExtensions: [{ schema: ENT, required: false }],
    });
    expect(types.body.Resources.find((r: { id: string }) => r.id === 'Group').endpoint).toBe(
      '/Groups',
    );
  });

  it('answers /Me with the caller', async () => {
    const me = await scim(sandbox, '/Me', { token: sandbox.staticTokens.viewer });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(SIGN_IN_ACCOUNTS[3]!.id);
    expect(me.body.userName).toBe('viewer@example.com');
  });

  it('keeps schemas and id on a projected single resource', async () => {
    const res = await scim(sandbox, `/Users/${users[3]!.id}?attributes=userName`);
    expect(res.body).toEqual({
      schemas: users[3]!.schemas,
      id: users[3]!.id,
      userName: users[3]!.userName,
    });
  });

  it('answers unknown endpoints and a missing token with SCIM errors', async () => {
    const missing = await scim(sandbox, '/Nope');
    expect(missing.status).toBe(404);
    expect(missing.body.schemas).toEqual([ERROR]);
    const anonymous = await scim(sandbox, '/Users', { token: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(anonymous.body).toMatchObject({ schemas: [ERROR], status: '401' });
    const garbage = await scim(sandbox, '/Users', { token: 'not-a-real-token-at-all' });
    expect(garbage.status).toBe(401);
    expect(garbage.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });
});

describe('sort and paging', () => {
  const familyKey = (u: ScimUser) => (u.name?.familyName ?? '').toLowerCase();
  const sortedByFamily = [...users].sort((a, b) =>
    familyKey(a) < familyKey(b)
      ? -1
      : familyKey(a) > familyKey(b)
        ? 1
        : a.id < b.id
          ? -1
          : a.id > b.id
            ? 1
            : 0,
  );

  async function allByIndex(
    params: Record<string, string | number>,
    pageSize: number,
  ): Promise<string[]> {
    const ids: string[] = [];
    for (let start = 1; ; start += pageSize) {
      const res = await scim(
        sandbox,
        '/Users' + q({ ...params, startIndex: start, count: pageSize }),
      );
      expect(res.status).toBe(200);
      ids.push(...res.body.Resources.map((r: { id: string }) => r.id));
      if (start + pageSize > res.body.totalResults) break;
    }
    return ids;
  }

  async function allByCursor(
    params: Record<string, string | number>,
    pageSize: number,
  ): Promise<{ ids: string[]; pages: string[][]; cursors: string[] }> {
    const pages: string[][] = [];
    const cursors: string[] = [];
    let cursor = '';
    for (;;) {
      const res = await scim(sandbox, '/Users' + q({ ...params, cursor, count: pageSize }));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      pages.push(res.body.Resources.map((r: { id: string }) => r.id));
      if (!res.body.nextCursor) break;
      cursor = res.body.nextCursor;
      cursors.push(cursor);
    }
    return { ids: pages.flat(), pages, cursors };
  }

  it('sorts by a sub-attribute with ties broken by id, and index pages cover everyone once', async () => {
    const ids = await allByIndex({ sortBy: 'name.familyName' }, 37);
    expect(ids).toEqual(sortedByFamily.map((u) => u.id));
    expect(new Set(ids).size).toBe(300);
  });

  it('sorts descending by emails.value (primary value, missing last)', async () => {
    const res = await scim(
      sandbox,
      '/Users' + q({ sortBy: 'emails.value', sortOrder: 'descending', count: 1000 }),
    );
    const values = res.body.Resources.map(
      (u: ScimUser) =>
        (u.emails?.find((e) => e.primary) ?? u.emails?.[0])?.value?.toLowerCase() ?? null,
    );
    const present = values.filter((v: string | null) => v !== null);
    expect(present).toEqual([...present].sort().reverse());
  });

  it('cursor pages cover everyone exactly once, with and without a filter, and go back', async () => {
    const plain = await allByCursor({}, 41);
    expect(plain.ids.sort()).toEqual(users.map((u) => u.id).sort());

    const filter = `${ENT}:department eq "Engineering"`;
    const sorted = await allByCursor({ filter, sortBy: 'userName', sortOrder: 'descending' }, 13);
    const want = users
      .filter((u) => u[ENT]?.department === 'Engineering')
      .sort((a, b) => {
        const x = a.userName.toLowerCase();
        const y = b.userName.toLowerCase();
        return x < y ? 1 : x > y ? -1 : a.id < b.id ? -1 : 1;
      })
      .map((u) => u.id);
    expect(sorted.ids).toEqual(want);
    expect(sorted.pages.length).toBeGreaterThan(2);

    // previousCursor of page 3 gives page 2 back.
    const third = await scim(
      sandbox,
      '/Users' +
        q({
          filter,
          sortBy: 'userName',
          sortOrder: 'descending',
          count: 13,
          cursor: sorted.cursors[1]!,
        }),
    );
    expect(third.body.Resources.map((r: { id: string }) => r.id)).toEqual(sorted.pages[2]);
    const back = await scim(
      sandbox,
      '/Users' +
        q({
          filter,
          sortBy: 'userName',
          sortOrder: 'descending',
          count: 13,
          cursor: third.body.previousCursor,
        }),
    );
    expect(back.body.Resources.map((r: { id: string }) => r.id)).toEqual(sorted.pages[1]);
  });

  it('index paging with a filter matches cursor paging with the same filter', async () => {
    const filter = 'active eq true';
    const byIndex = await allByIndex({ filter, sortBy: 'meta.created' }, 50);
    const byCursor = await allByCursor({ filter, sortBy: 'meta.created' }, 50);
    expect(byCursor.ids).toEqual(byIndex);
    expect(byIndex.length).toBe(users.filter((u) => u.active).length);
  });

  it('rejects a tampered or foreign cursor with invalidCursor, and caps count', async () => {
    const first = await scim(sandbox, '/Users' + q({ cursor: '', count: 5 }));
    const tampered = first.body.nextCursor.slice(0, -2) + 'xx';
    const bad = await scim(sandbox, '/Users' + q({ cursor: tampered, count: 5 }));
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidCursor' });
    const foreign = await scim(
      sandbox,
      '/Users' + q({ cursor: first.body.nextCursor, count: 5, filter: 'active eq true' }),
    );
    expect(foreign.body.scimType).toBe('invalidCursor');
    const big = await scim(sandbox, '/Users' + q({ count: 50_000 }));
    expect(big.body.itemsPerPage).toBe(300);
    expect((await scim(sandbox, '/Users' + q({ count: 'ten' }))).status).toBe(400);
    expect((await scim(sandbox, '/Users' + q({ sortBy: 'noSuchAttribute' }))).body.scimType).toBe(
      'invalidPath',
    );
  });

  it('POST /Users/.search and POST /.search page like GET', async () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'userType eq "Intern"',
      sortBy: 'name.familyName',
      startIndex: 1,
      count: 1000,
      attributes: ['userName', 'name.familyName'],
    };
    const res = await scim(sandbox, '/Users/.search', { method: 'POST', body });
    expect(res.status).toBe(200);
    const want = sortedByFamily.filter((u) => u.userType === 'Intern').map((u) => u.id);
    expect(res.body.Resources.map((r: { id: string }) => r.id)).toEqual(want);
    expect(Object.keys(res.body.Resources[0]).sort()).toEqual([
      'id',
      'name',
      'schemas',
      'userName',
    ]);
    const root = await scim(sandbox, '/.search', {
      method: 'POST',
      body: { schemas: body.schemas, filter: 'displayName sw "Alex"', count: 100 },
    });
    expect(
      root.body.Resources.some(
        (r: { meta: { resourceType: string } }) => r.meta.resourceType === 'User',
      ),
    ).toBe(true);
    const noSchema = await scim(sandbox, '/Users/.search', {
      method: 'POST',
      body: { filter: 'active eq true' },
    });
    expect(noSchema.status).toBe(400);
    expect(noSchema.body.scimType).toBe('invalidSyntax');
  });
});

describe('ETags and writes', () => {
  it('returns meta.version as ETag, honours If-None-Match and If-Match', async () => {
    const id = users[20]!.id;
    const first = await scim(sandbox, `/Users/${id}`);
    const etag = first.headers.get('etag');
    expect(etag).toBe(first.body.meta.version);
    const notModified = await scim(sandbox, `/Users/${id}`, {
      headers: { 'if-none-match': etag! },
    });
    expect(notModified.status).toBe(304);
    const stale = await scim(sandbox, `/Users/${id}`, {
      method: 'PATCH',
      headers: { 'if-match': 'W/"stale"' },
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'title', value: 'Chief Tester' }],
      },
    });
    expect(stale.status).toBe(412);
    const patched = await scim(sandbox, `/Users/${id}`, {
      method: 'PATCH',
      headers: { 'if-match': etag! },
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'title', value: 'Chief Tester' }],
      },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.title).toBe('Chief Tester');
    expect(patched.headers.get('etag')).not.toBe(etag);
    const found = await scim(sandbox, '/Users' + q({ filter: 'title eq "chief tester"' }));
    expect(found.body.Resources.map((r: { id: string }) => r.id)).toEqual([id]);
  });

  it('creates with 201 + Location, refuses a duplicate userName (any case), deletes', async () => {
    const created = await scim(sandbox, '/Users', {
      method: 'POST',
      body: {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'Temp.Person@example.com',
      },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${sandbox.scimUrl}/Users/${created.body.id}`);
    const dup = await scim(sandbox, '/Users', {
      method: 'POST',
      body: {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'temp.person@EXAMPLE.com',
      },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.scimType).toBe('uniqueness');
    expect((await scim(sandbox, `/Users/${created.body.id}`, { method: 'DELETE' })).status).toBe(
      204,
    );
    expect((await scim(sandbox, `/Users/${created.body.id}`)).status).toBe(404);
  });

  it('PATCHes extension attributes and group members, and filters see the change', async () => {
    const patchOp = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
    const id = users[30]!.id;
    const patched = await scim(sandbox, `/Users/${id}`, {
      method: 'PATCH',
      body: {
        schemas: [patchOp],
        Operations: [{ op: 'replace', path: `${ENT}:department`, value: 'Treasury' }],
      },
    });
    expect(patched.status).toBe(200);
    expect(patched.body[ENT].department).toBe('Treasury');
    expect(patched.body[ENT].employeeNumber).toBe(users[30]![ENT]!.employeeNumber);
    const group = await scim(sandbox, '/Groups', {
      method: 'POST',
      body: {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'Treasury Team',
      },
    });
    expect(group.status).toBe(201);
    const added = await scim(sandbox, `/Groups/${group.body.id}`, {
      method: 'PATCH',
      body: {
        schemas: [patchOp],
        Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }],
      },
    });
    expect(added.body.members.map((m: { value: string }) => m.value)).toEqual([id]);
    const found = await scim(
      sandbox,
      '/Users' +
        q({ filter: `${ENT}:department eq "treasury" and groups.display eq "TREASURY TEAM"` }),
    );
    expect(found.body.Resources.map((r: { id: string }) => r.id)).toEqual([id]);
    expect((await scim(sandbox, `/Groups/${group.body.id}`, { method: 'DELETE' })).status).toBe(
      204,
    );
    const after = await scim(sandbox, `/Users/${id}`);
    expect(after.body.groups.some((g: { value: string }) => g.value === group.body.id)).toBe(false);
  });

  it('refuses writes from a read-only token with 403', async () => {
    const res = await scim(sandbox, '/Users', {
      method: 'POST',
      token: sandbox.staticTokens.viewer,
      body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'x@example.com' },
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toContain('insufficient_scope');
  });
});

describe('seed', () => {
  const hash = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

  it('is deterministic: same seed, same directory; another seed, another directory', () => {
    expect(hash(generateDirectory({ seed: 7, users: 500 }))).toBe(
      hash(generateDirectory({ seed: 7, users: 500 })),
    );
    expect(hash(generateDirectory({ seed: 7, users: 500 }))).not.toBe(
      hash(generateDirectory({ seed: 8, users: 500 })),
    );
  });

  it('serves the same directory from two sandboxes with the same seed', async () => {
    const other = await startTestSandbox({ users: 120, seed: 99 });
    const again = await startTestSandbox({ users: 120, seed: 99 });
    try {
      const strip = (body: { Resources: { meta: Record<string, unknown>; groups?: unknown }[] }) =>
        body.Resources.map((r) =>
          JSON.stringify({
            ...r,
            meta: { ...r.meta, location: undefined },
            groups: undefined,
          }).replaceAll(/http:\/\/127\.0\.0\.1:\d+/g, ''),
        );
      const a = await scim(other, '/Users?count=1000');
      const b = await scim(again, '/Users?count=1000');
      expect(hash(strip(a.body))).toBe(hash(strip(b.body)));
      // SCIMMY's basepath is process-wide; each sandbox must still name its own URL.
      const id = a.body.Resources[5].id as string;
      const [fromOther, fromAgain] = await Promise.all([
        scim(other, `/Users/${id}`),
        scim(again, `/Users/${id}`),
      ]);
      expect(fromOther.body.meta.location).toBe(`${other.scimUrl}/Users/${id}`);
      expect(fromAgain.body.meta.location).toBe(`${again.scimUrl}/Users/${id}`);
      expect(hash(strip(a.body))).not.toBe(
        hash(strip((await scim(sandbox, '/Users?count=120')).body)),
      );
    } finally {
      await other.close();
      await again.close();
    }
  });

  it('has realistic variety', () => {
    const active = users.filter((u) => u.active).length / users.length;
    expect(active).toBeGreaterThan(0.75);
    expect(active).toBeLessThan(0.95);
    expect(users.some((u) => !(u.emails ?? []).some((e) => e.type === 'work'))).toBe(true);
    expect(new Set(users.map((u) => u.userType)).size).toBeGreaterThanOrEqual(4);
    expect(new Set(users.map((u) => u[ENT]?.department)).size).toBeGreaterThanOrEqual(8);
    expect(users.filter((u) => u[ENT]?.manager).length).toBe(299);
    expect(directory.groups.some((g) => g.members.length === 0)).toBe(true);
    const years = new Set(users.map((u) => u.meta.created.slice(0, 4)));
    expect(years.size).toBeGreaterThan(5);
  });
});
