import { parseFilter } from '@scim-console/scim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildTestApp,
  forEachDatabase,
  login,
  type LoggedIn,
  type TestApp,
} from '../../../test/helpers/test-app.ts';
import {
  createSandboxConnections,
  startTestSandbox,
  type SandboxConnections,
  type TestSandbox,
} from '../token-vault/sandbox.test-support.ts';
import { configureAudit } from '../audit/audit.service.ts';
import { RULE_OPERATORS } from './condition-tree.ts';
import { PRESETS } from './presets.ts';

// Query options, generation and outcome against the running sandbox; every generated request
// is executed at the sandbox with the caller's own token.

interface Generated {
  queryId: string;
  method: 'GET' | 'POST';
  url: string;
  path: string;
  params: Record<string, string>;
  body: Record<string, unknown> | null;
  filter: string | null;
  ast: unknown;
  warnings: { code: string; message: string }[];
  execution: { mode: string; relayUrl: string | null; headers: Record<string, string> };
}

async function execute(
  session: LoggedIn,
  connectionId: string,
  generated: Generated,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const token = (
    await session.inject({ method: 'GET', url: `/api/token?connectionId=${connectionId}` })
  ).json().accessToken as string;
  const response = await fetch(generated.url, {
    method: generated.method,
    headers: { ...generated.execution.headers, authorization: `Bearer ${token}` },
    ...(generated.body ? { body: JSON.stringify(generated.body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

forEachDatabase((database) => {
  describe('query options and generation against the sandbox', () => {
    let sandbox: TestSandbox;
    let app: TestApp;
    let ids: SandboxConnections;
    let operator: LoggedIn;
    let viewer: LoggedIn;
    let admin: LoggedIn;

    const generate = (session: LoggedIn, payload: Record<string, unknown>) =>
      session.inject({
        method: 'POST',
        url: '/api/scim-query',
        payload: { connectionId: ids.static, resourceType: 'User', ...payload },
      });

    beforeAll(async () => {
      sandbox = await startTestSandbox();
      app = await buildTestApp({ database, env: { LOGIN_RATE_LIMIT_MAX: '1000' } });
      admin = await login(app, 'admin');
      ids = await createSandboxConnections(app, sandbox, admin.user.id);
      operator = await login(app, 'operator');
      viewer = await login(app, 'viewer');
      for (const [session, name] of [
        [operator, 'operator'],
        [viewer, 'viewer'],
      ] as const) {
        const r = await session.inject({
          method: 'PUT',
          url: '/api/token',
          payload: { connectionId: ids.static, token: sandbox.staticTokens[name] },
        });
        expect(r.statusCode, r.body).toBe(200);
      }
    });
    afterAll(async () => {
      await app?.close();
      await sandbox?.close();
    });

    it('discovers schemas, resource types and capabilities with the caller token, falling back to defaults without one', async () => {
      const r = await operator.inject({
        method: 'GET',
        url: `/api/query-options?connectionId=${ids.static}`,
      });
      expect(r.statusCode, r.body).toBe(200);
      const options = r.json();
      expect(options.source).toBe('discovered');
      expect(options.resourceTypes.map((t: { name: string }) => t.name)).toEqual(
        expect.arrayContaining(['User', 'Group']),
      );
      const user = options.resourceTypes.find((t: { name: string }) => t.name === 'User');
      const byPath = new Map(user.attributes.map((a: { path: string }) => [a.path, a]));
      expect(byPath.get('userName')).toMatchObject({
        type: 'string',
        operators: expect.arrayContaining(['eq', 'co', 'sw', 'pr']),
      });
      expect(byPath.get('active')).toMatchObject({
        type: 'boolean',
        operators: ['eq', 'ne', 'pr'],
      });
      expect(byPath.get('emails')).toMatchObject({
        type: 'complex',
        multiValued: true,
        subAttributes: expect.arrayContaining([
          expect.objectContaining({ path: 'type', canonicalValues: expect.any(Array) }),
        ]),
      });
      expect(
        byPath.has('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department'),
      ).toBe(true);
      expect(options.capabilities).toMatchObject({
        filter: true,
        search: true,
        maxPageSize: expect.any(Number),
      });
      const presetIds = options.presets.map((p: { id: string }) => p.id);
      for (const id of [
        'all-users',
        'active-users',
        'inactive-users',
        'users-without-work-email',
        'users-in-department',
        'members-of-group',
        'changed-since',
        'groups-without-members',
        'all-groups',
      ]) {
        expect(presetIds).toContain(id);
      }
      // The oauth connection has no token linked for the auditor-less operator yet: defaults.
      const fallback = (
        await operator.inject({
          method: 'GET',
          url: `/api/query-options?connectionId=${ids.oauth}`,
        })
      ).json();
      expect(fallback.source).toBe('defaults');
      expect(fallback.discoveryError).toMatch(/token/i);
      expect(fallback.resourceTypes.map((t: { name: string }) => t.name)).toEqual(
        expect.arrayContaining(['User', 'Group']),
      );
    });

    it('generates and executes every operator from a condition tree', async () => {
      const cases: [string, string, unknown][] = [
        ['userName', 'eq', 'operator'],
        ['userName', 'ne', 'operator'],
        ['userName', 'co', 'a'],
        ['userName', 'sw', 'a'],
        ['userName', 'ew', 'e'],
        ['userName', 'gt', 'm'],
        ['userName', 'ge', 'm'],
        ['meta.lastModified', 'lt', '2100-01-01T00:00:00Z'],
        ['meta.lastModified', 'le', '2100-01-01T00:00:00Z'],
        ['title', 'pr', undefined],
      ];
      expect(new Set(cases.map((c) => c[1]))).toEqual(new Set(RULE_OPERATORS));
      for (const [field, op, value] of cases) {
        const r = await generate(operator, {
          where: {
            combinator: 'and',
            rules: [{ field, operator: op, ...(value === undefined ? {} : { value }) }],
          },
          count: 5,
        });
        expect(r.statusCode, `${field} ${op}: ${r.body}`).toBe(200);
        const generated = r.json() as Generated;
        expect(parseFilter(generated.filter!)).toEqual(generated.ast);
        const result = await execute(operator, ids.static, generated);
        expect(
          result.status,
          `${generated.filter} → ${JSON.stringify(result.body).slice(0, 200)}`,
        ).toBe(200);
      }
    });

    it('generates and executes every preset, also as a viewer', async () => {
      const group = await execute(
        operator,
        ids.static,
        (
          await generate(operator, {
            resourceType: 'Group',
            preset: { id: 'all-groups' },
            count: 1,
          })
        ).json(),
      );
      const groupId = (group.body.Resources as { id: string }[])[0]!.id;
      const params: Record<string, Record<string, string>> = {
        'users-in-department': { department: 'Engineering' },
        'members-of-group': { groupId },
        'changed-since': { since: '2000-01-01T00:00:00Z' },
        'find-user-by-username': { userName: 'operator' },
        'groups-by-name': { prefix: 'A' },
      };
      for (const preset of PRESETS) {
        const r = await generate(viewer, {
          resourceType: preset.resourceType,
          preset: { id: preset.id, params: params[preset.id] ?? {} },
          count: 20,
        });
        expect(r.statusCode, `${preset.id}: ${r.body}`).toBe(200);
        const result = await execute(viewer, ids.static, r.json());
        expect(result.status, `${preset.id}: ${JSON.stringify(result.body).slice(0, 300)}`).toBe(
          200,
        );
        const resources = (result.body.Resources ?? []) as Record<string, unknown>[];
        if (preset.id === 'active-users')
          expect(resources.every((u) => u['active'] === true)).toBe(true);
        if (preset.id === 'inactive-users')
          expect(resources.every((u) => u['active'] === false)).toBe(true);
        if (preset.id === 'members-of-group') expect(resources.length).toBeGreaterThan(0);
      }
    });

    it('sends personal data as POST /.search and other filters as GET', async () => {
      const personal = (
        await generate(operator, {
          where: {
            combinator: 'and',
            rules: [{ field: 'emails.value', operator: 'co', value: '@example' }],
          },
        })
      ).json() as Generated;
      expect(personal.method).toBe('POST');
      expect(personal.path).toBe('/Users/.search');
      expect(personal.url).not.toContain('example');
      expect(personal.body).toMatchObject({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
        filter: 'emails.value co "@example"',
      });
      const plain = (
        await generate(operator, {
          where: { combinator: 'and', rules: [{ field: 'active', operator: 'eq', value: 'true' }] },
        })
      ).json() as Generated;
      expect(plain.method).toBe('GET');
      expect(plain.url).toBe(`${sandbox.scimUrl}/Users?filter=active%20eq%20true`);
      const forced = (
        await generate(operator, { filter: 'active eq true', method: 'POST' })
      ).json() as Generated;
      expect(forced.method).toBe('POST');
    });

    it('follows the paging the provider advertises, not only its vendor profile', async () => {
      // The sandbox's ServiceProviderConfig declares RFC 9865 cursor paging; the generic
      // profile does not, so a warning here would come from the profile alone.
      const r = await generate(operator, { filter: 'active eq true', cursor: '', count: 50 });
      expect(r.statusCode).toBe(200);
      const generated = r.json() as Generated;
      expect(generated.params).toMatchObject({ cursor: '', count: '50' });
      expect(generated.warnings.map((w) => w.message).join(' ')).not.toMatch(/cursor/i);
    });

    it('reports errors with the field or position at fault', async () => {
      const bad = await generate(operator, { filter: 'userName eq "a" and (' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toMatchObject({
        code: 'INVALID_FILTER',
        details: { position: expect.any(Number), field: 'body.filter' },
      });
      const cases: [Record<string, unknown>, string, string][] = [
        [{ attributes: ['userName', 'nosuch'] }, 'INVALID_PATH', 'body.attributes[1]'],
        [{ sortBy: 'userName desc' }, 'INVALID_PATH', 'body.sortBy'],
        [
          { excludedAttributes: ['emails[type eq "work"]'] },
          'INVALID_PATH',
          'body.excludedAttributes[0]',
        ],
        [{ startIndex: 0 }, 'VALIDATION_FAILED', 'body.startIndex'],
        [{ count: 100_000 }, 'VALIDATION_FAILED', 'body.count'],
        [{ cursor: 'abc', startIndex: 2 }, 'VALIDATION_FAILED', 'body.cursor'],
        [{ cursor: 'abc&count=1000' }, 'VALIDATION_FAILED', 'body.cursor'],
        [{ resourceType: 'Secrets' }, 'VALIDATION_FAILED', 'body.resourceType'],
        [
          { filter: 'active eq true', preset: { id: 'all-users' } },
          'VALIDATION_FAILED',
          'body.filter',
        ],
        [
          {
            where: { combinator: 'and', rules: [{ field: 'nosuch', operator: 'eq', value: 'x' }] },
          },
          'INVALID_PATH',
          'body.where.rules[0].field',
        ],
        [
          {
            where: {
              combinator: 'and',
              rules: [{ field: 'active', operator: 'eq', value: 'yes' }],
            },
          },
          'VALIDATION_FAILED',
          'body.where.rules[0].value',
        ],
        [{ filter: 'nosuch eq "x"' }, 'INVALID_PATH', 'body.filter'],
        [{ filter: 'active gt true' }, 'INVALID_FILTER', 'body.filter'],
      ];
      for (const [payload, code, field] of cases) {
        const r = await generate(operator, payload);
        expect(r.statusCode, `${JSON.stringify(payload)}: ${r.body}`).toBe(400);
        expect(r.json().error, JSON.stringify(payload)).toMatchObject({ code, details: { field } });
      }
    });

    it('keeps injection attempts literal or rejects them', async () => {
      const hostile = 'x" or userName pr or userName eq "';
      const viaWhere = (
        await generate(operator, {
          where: {
            combinator: 'and',
            rules: [{ field: 'userName', operator: 'eq', value: hostile }],
          },
        })
      ).json() as Generated;
      expect(viaWhere.ast).toMatchObject({ kind: 'compare', value: hostile });
      expect((await execute(operator, ids.static, viaWhere)).body.totalResults).toBe(0);
      const viaPreset = (
        await generate(viewer, {
          preset: { id: 'users-in-department', params: { department: hostile } },
        })
      ).json() as Generated;
      expect(viaPreset.ast).toMatchObject({ kind: 'compare', value: hostile });
      expect((await execute(viewer, ids.static, viaPreset)).body.totalResults).toBe(0);
      // A raw filter is parsed, never spliced: its structure is what the user wrote, and it is canonicalised.
      const raw = (
        await generate(operator, { filter: 'userName eq "a\\" or \\"b"' })
      ).json() as Generated;
      expect(raw.ast).toMatchObject({ kind: 'compare', value: 'a" or "b' });
      for (const payload of [
        { connectionId: 'x" or 1=1 --' },
        { connectionId: '../../etc/passwd' },
        { attributes: ['userName,password'] },
        { attributes: ['userName&filter=userName pr'] },
        { sortBy: 'userName&count=9999' },
        {
          where: {
            combinator: 'and',
            rules: [{ field: 'userName eq "x" or userName', operator: 'pr' }],
          },
        },
        { where: { combinator: 'and) or (userName pr', rules: [] } },
        {
          where: {
            combinator: 'and',
            rules: [{ field: 'userName', operator: 'eq) or (userName pr', value: 'x' }],
          },
        },
        { preset: { id: 'active-users', params: { 'x" or "': 'y' } } },
        {
          preset: {
            id: 'changed-since',
            params: { since: '2020-01-01T00:00:00Z" or userName pr or "' },
          },
        },
        { cursor: 'a b' },
        { resourceType: '/Users?filter=userName pr' },
      ]) {
        const r = await generate(payload.preset ? viewer : operator, payload);
        expect(r.statusCode, `${JSON.stringify(payload)}: ${r.body}`).toBe(400);
        expect(
          r.json().error.details?.field ?? r.json().error.message,
          JSON.stringify(payload),
        ).toBeTruthy();
      }
      // Deeply nested trees are refused with 400, not a crash.
      let deep: Record<string, unknown> = {
        combinator: 'and',
        rules: [{ field: 'userName', operator: 'pr' }],
      };
      for (let i = 0; i < 2000; i += 1) deep = { combinator: 'and', rules: [deep] };
      const tooDeep = await generate(operator, { where: deep });
      expect(tooDeep.statusCode).toBe(400);
    });

    it('lets viewers run presets only', async () => {
      const r = await generate(viewer, { filter: 'active eq true' });
      expect(r.statusCode).toBe(403);
      expect(r.json().error.code).toBe('FORBIDDEN');
      expect((await generate(viewer, { where: { combinator: 'and', rules: [] } })).statusCode).toBe(
        403,
      );
      const denied = await app.db
        .selectFrom('audit_events')
        .select(['action', 'actor_username'])
        .where('action', '=', 'permission.denied')
        .execute();
      expect(denied.some((e) => e.actor_username === 'viewer')).toBe(true);
    });

    it('records the generation and one outcome per query, for its owner only', async () => {
      const generated = (
        await generate(operator, { preset: { id: 'active-users' }, count: 3 })
      ).json() as Generated;
      const events = await app.db
        .selectFrom('audit_events')
        .selectAll()
        .where('query_id', '=', generated.queryId)
        .execute();
      expect(events.map((e) => e.action)).toEqual(['query.generated']);
      expect(events[0]!.token_fingerprint).toMatch(/^fp_/);
      const outcome = { status: 200, resultCount: 3, totalResults: 40, pages: 1, durationMs: 42 };
      const other = await viewer.inject({
        method: 'POST',
        url: `/api/logs/${generated.queryId}/outcome`,
        payload: outcome,
      });
      expect(other.statusCode).toBe(404);
      const first = await operator.inject({
        method: 'POST',
        url: `/api/logs/${generated.queryId}/outcome`,
        payload: outcome,
      });
      expect(first.statusCode, first.body).toBe(204);
      const second = await operator.inject({
        method: 'POST',
        url: `/api/logs/${generated.queryId}/outcome`,
        payload: outcome,
      });
      expect(second.statusCode).toBe(409);
      expect(second.json().error.code).toBe('ALREADY_REPORTED');
      const after = await app.db
        .selectFrom('audit_events')
        .selectAll()
        .where('query_id', '=', generated.queryId)
        .orderBy('seq')
        .execute();
      expect(after.map((e) => e.action)).toEqual(['query.generated', 'query.outcome']);
      expect(after[1]).toMatchObject({
        outcome_status: 200,
        outcome_result_count: 3,
        outcome_duration_ms: 42,
      });
    });

    it('20 users query at once and the sandbox attributes every call to the right subject', async () => {
      const accounts = ['admin', 'operator', 'auditor', 'viewer'] as const;
      const users: { session: LoggedIn; account: (typeof accounts)[number] }[] = [];
      for (let i = 0; i < 20; i += 1) {
        const username = `crowd-${i}`;
        const created = await admin.inject({
          method: 'POST',
          url: '/api/users',
          payload: { username, role: 'operator', password: 'crowd-password-123456' },
        });
        expect(created.statusCode, created.body).toBe(201);
        const session = await login(app, username, 'crowd-password-123456');
        const account = accounts[i % accounts.length]!;
        const linked = await session.inject({
          method: 'PUT',
          url: '/api/token',
          payload: { connectionId: ids.static, token: sandbox.staticTokens[account] },
        });
        expect(linked.statusCode, linked.body).toBe(200);
        users.push({ session, account });
      }
      await sandbox.clearRequests();
      const results = await Promise.all(
        users.map(async ({ session }, i) => {
          const r = await session.inject({
            method: 'POST',
            url: '/api/scim-query',
            payload: {
              connectionId: ids.static,
              resourceType: 'User',
              where: {
                combinator: 'and',
                rules: [
                  { field: 'userName', operator: 'sw', value: String.fromCharCode(97 + (i % 26)) },
                ],
              },
              count: 5,
            },
          });
          expect(r.statusCode, r.body).toBe(200);
          return execute(session, ids.static, r.json());
        }),
      );
      expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
      const log = (await sandbox.requests()).filter((r) => r.path.startsWith('/scim/v2/Users'));
      expect(log).toHaveLength(20);
      const subjectOf = new Map(sandbox.accounts.map((a) => [a.username, a.id]));
      for (const account of accounts) {
        expect(log.filter((r) => r.subject === subjectOf.get(account)).length, account).toBe(5);
      }
    });
  });
});

describe('AUDIT_REDACT_FILTER_VALUES and the stored query record', () => {
  let sandbox: TestSandbox;
  let app: TestApp;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    app = await buildTestApp({ env: { AUDIT_REDACT_FILTER_VALUES: 'true' } });
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
    configureAudit({ redactFilterValues: false });
  });

  it('keeps no filter literal in the queries table or the trail, yet the request sent is exact', async () => {
    const admin = await login(app, 'admin');
    const ids = await createSandboxConnections(app, sandbox, admin.user.id);
    const operator = await login(app, 'operator');
    const linked = await operator.inject({
      method: 'PUT',
      url: '/api/token',
      payload: { connectionId: ids.static, token: sandbox.staticTokens.operator },
    });
    expect(linked.statusCode, linked.body).toBe(200);

    const secret = 'Kowalczyk-Szymborska';
    const r = await operator.inject({
      method: 'POST',
      url: '/api/scim-query',
      payload: {
        connectionId: ids.static,
        resourceType: 'User',
        filter: `name.familyName eq "${secret}"`,
        method: 'GET',
      },
    });
    expect(r.statusCode, r.body).toBe(200);
    const generated = r.json() as Generated;
    expect(generated.filter).toBe(`name.familyName eq "${secret}"`);
    const outcome = await operator.inject({
      method: 'POST',
      url: `/api/logs/${generated.queryId}/outcome`,
      payload: { status: 200, resultCount: 0, durationMs: 12 },
    });
    expect(outcome.statusCode, outcome.body).toBe(204);

    const stored = await app.db.selectFrom('queries').select('request').execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.request).not.toContain(secret);
    expect(JSON.parse(stored[0]!.request).filter).toBe('name.familyName eq "…"');
    const trail = await operator.inject({ method: 'GET', url: '/api/logs' });
    expect(trail.statusCode).toBe(200);
    expect(trail.body).toContain('query.outcome');
    expect(trail.body).not.toContain(secret);
  });
});
