import { readFileSync } from 'node:fs';
import { startSandbox, type Sandbox } from '@scim-console/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildTestApp,
  forEachDatabase,
  login,
  type LoggedIn,
  type TestApp,
} from '../../../test/helpers/test-app.ts';
import { keyRingFor } from '../../lib/crypto/index.ts';
import {
  assertConnectionAccess,
  getConnectionForUse,
  listConnectionOrigins,
} from './connections.service.ts';
import { seedDemoConnections } from './connections.seed.ts';

const CLIENT_SECRET = 'client-secret-PLAINTEXT-marker-93f1';

const oauthBody = (over: Record<string, unknown> = {}) => ({
  name: 'Okta prod',
  baseUrl: 'https://example.okta.com/scim/v2/',
  authKind: 'oauth2',
  vendor: 'okta',
  oauth: {
    issuer: 'https://example.okta.com',
    clientId: 'console',
    clientSecret: CLIENT_SECRET,
    scopes: ['okta.users.read'],
  },
  grants: { roles: ['operator'], userIds: [] },
  ...over,
});

forEachDatabase((database) => {
  let app: TestApp;
  let admin: LoggedIn;
  let operator: LoggedIn;
  let viewer: LoggedIn;
  let auditor: LoggedIn;
  let sandbox: Sandbox;
  let providerUrl = '';

  beforeAll(async () => {
    // The real sandbox as the provider behind "test connection" and the demo connections.
    sandbox = await startSandbox({ port: 0, users: 10, password: 'sandbox-test-password' });
    providerUrl = sandbox.url;
    app = await buildTestApp({ database, env: { SANDBOX_URL: sandbox.url } });
    [admin, operator, viewer, auditor] = (await Promise.all(
      ['admin', 'operator', 'viewer', 'auditor'].map((u) => login(app, u)),
    )) as [LoggedIn, LoggedIn, LoggedIn, LoggedIn];
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
  });

  it('admin creates a connection; the secret is write-only and sealed at rest', async () => {
    const res = await admin.inject({
      method: 'POST',
      url: '/api/connections',
      payload: oauthBody(),
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      name: 'Okta prod',
      baseUrl: 'https://example.okta.com/scim/v2',
      authKind: 'oauth2',
      executionMode: 'direct',
      vendor: 'okta',
      allowPrivateNetwork: false,
    });
    expect(body.oauth).toEqual({
      issuer: 'https://example.okta.com',
      authorizationEndpoint: null,
      tokenEndpoint: null,
      revocationEndpoint: null,
      clientId: 'console',
      scopes: ['okta.users.read'],
      hasClientSecret: true,
    });
    expect(res.body).not.toContain(CLIENT_SECRET);
    const list = await admin.inject({ method: 'GET', url: '/api/connections' });
    expect(list.body).not.toContain(CLIENT_SECRET);

    const row = await app.db
      .selectFrom('connections')
      .selectAll()
      .where('id', '=', body.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(CLIENT_SECRET);
    expect(row.oauth_client_secret_sealed).toMatch(/^v1\.k1\./);
    const forUse = await getConnectionForUse(app.db, keyRingFor(app.config.encryption), body.id);
    expect(forUse.oauth?.clientSecret).toBe(CLIENT_SECRET);

    // The audit event records the change without the secret.
    const logs = await admin.inject({
      method: 'GET',
      url: '/api/logs?action=connection.created&scope=all',
    });
    expect(logs.json().events[0]).toMatchObject({
      action: 'connection.created',
      connectionId: body.id,
      details: { name: 'Okta prod', authKind: 'oauth2' },
    });
    expect(logs.body).not.toContain(CLIENT_SECRET);
  });

  if (database === 'sqlite') {
    it('leaves no secret in plaintext in the SQLite files', async () => {
      const path = app.testDatabase.location;
      await app.db.selectFrom('connections').select('id').execute();
      const bytes = [path, `${path}-wal`].map((p) => {
        try {
          return readFileSync(p).toString('latin1');
        } catch {
          return '';
        }
      });
      expect(bytes.join('')).toContain('Okta prod'); // the file is readable: the check is meaningful
      expect(bytes.join('')).not.toContain(CLIENT_SECRET);
    });
  }

  it('patches with write-only secret semantics and audits which fields changed', async () => {
    const created = (
      await admin.inject({
        method: 'POST',
        url: '/api/connections',
        payload: oauthBody({ name: 'Patch me' }),
      })
    ).json();
    const keep = await admin.inject({
      method: 'PATCH',
      url: `/api/connections/${created.id}`,
      payload: { oauth: { scopes: ['a', 'b'] } },
    });
    expect(keep.statusCode).toBe(200);
    expect(keep.json().oauth).toMatchObject({
      scopes: ['a', 'b'],
      hasClientSecret: true,
      clientId: 'console',
    });
    const removed = await admin.inject({
      method: 'PATCH',
      url: `/api/connections/${created.id}`,
      payload: { oauth: { clientSecret: null }, executionMode: 'relay' },
    });
    expect(removed.json()).toMatchObject({
      executionMode: 'relay',
      oauth: { hasClientSecret: false },
    });
    const logs = (
      await admin.inject({
        method: 'GET',
        url: `/api/logs?scope=all&connectionId=${created.id}&action=connection.updated`,
      })
    ).json();
    expect(logs.events.map((e: { details: { changed: string[] } }) => e.details.changed)).toEqual([
      ['executionMode', 'oauth.clientSecret'],
      ['oauth.scopes'],
    ]);
    const toStatic = await admin.inject({
      method: 'PATCH',
      url: `/api/connections/${created.id}`,
      payload: { authKind: 'static' },
    });
    expect(toStatic.json()).toMatchObject({ authKind: 'static', oauth: null });
  });

  it('validates with clear field errors (including SSRF-relevant URL rules)', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ baseUrl: 'http://scim.example.com/scim/v2' }, 'body.baseUrl'],
      [{ baseUrl: 'https://user:pw@scim.example.com/scim/v2' }, 'body.baseUrl'],
      [{ baseUrl: 'https://scim.example.com/scim/v2#frag' }, 'body.baseUrl'],
      [{ baseUrl: 'https://scim.example.com/scim/v2?x=1' }, 'body.baseUrl'],
      [{ baseUrl: 'https://169.254.169.254/latest' }, 'body.baseUrl'],
      [{ baseUrl: 'https://10.0.0.5/scim' }, 'body.baseUrl'],
      [{ baseUrl: 'http://127.0.0.1:9/scim' }, 'body.baseUrl'], // loopback without allowPrivateNetwork
      [{ baseUrl: 'ftp://scim.example.com' }, 'body.baseUrl'],
      [{ baseUrl: 'not a url' }, 'body.baseUrl'],
      [{ name: '' }, 'body.name'],
      [{ vendor: 'nope' }, 'body.vendor'],
      [{ authKind: 'basic' }, 'body.authKind'],
      [{ oauth: { clientId: 'x' } }, 'body.oauth.issuer'],
      [{ oauth: { issuer: 'http://idp.example.com', clientId: 'x' } }, 'body.oauth.issuer'],
      [
        { oauth: { issuer: 'https://idp.example.com', clientId: 'x', scopes: ['a b'] } },
        'body.oauth.scopes.0',
      ],
      [{ authKind: 'static' }, 'body.oauth'],
      [{ extra: 1 }, 'body'],
      [{ grants: { roles: ['root'] } }, 'body.grants.roles.0'],
    ];
    for (const [over, field] of cases) {
      const res = await admin.inject({
        method: 'POST',
        url: '/api/connections',
        payload: oauthBody({ name: `Bad ${field}`, ...over }),
      });
      expect(res.statusCode, JSON.stringify(over)).toBe(400);
      const error = res.json().error;
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.details.field, `${JSON.stringify(over)} → ${res.body}`).toBe(field);
      expect(res.body).not.toMatch(/at .*\.ts:\d+/); // no stack
    }
    // Loopback http is fine in the demo profile when private networks are allowed explicitly.
    const ok = await admin.inject({
      method: 'POST',
      url: '/api/connections',
      payload: {
        name: 'Local',
        baseUrl: `${providerUrl}/scim/v2`,
        authKind: 'static',
        allowPrivateNetwork: true,
        grants: { roles: ['viewer'], userIds: [] },
      },
    });
    expect(ok.statusCode).toBe(201);
    const dup = await admin.inject({
      method: 'POST',
      url: '/api/connections',
      payload: { name: 'Local', baseUrl: 'https://a.example.com', authKind: 'static' },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.details.field).toBe('body.name');
  });

  it('refuses every write to non-admins (403, audited) and hides ungranted connections (404)', async () => {
    const created = (
      await admin.inject({
        method: 'POST',
        url: '/api/connections',
        payload: oauthBody({
          name: 'Operators only',
          grants: { roles: ['operator'], userIds: [] },
        }),
      })
    ).json();
    for (const who of [operator, viewer, auditor]) {
      for (const [method, url, payload] of [
        ['POST', '/api/connections', oauthBody({ name: 'x' })],
        ['PATCH', `/api/connections/${created.id}`, { name: 'y' }],
        ['DELETE', `/api/connections/${created.id}`, undefined],
        ['POST', `/api/connections/${created.id}/test`, undefined],
      ] as const) {
        const res = await who.inject({ method, url, payload });
        expect(res.statusCode, `${who.user.username} ${method} ${url}`).toBe(403);
        expect(res.json().error.code).toBe('FORBIDDEN');
      }
    }
    const denied = (
      await admin.inject({
        method: 'GET',
        url: '/api/logs?scope=all&action=permission.denied&userId=' + viewer.user.id,
      })
    ).json();
    expect(denied.events.length).toBeGreaterThanOrEqual(4);

    // Grants: the operator sees it, the viewer neither in the list nor by id (same 404 as a missing id).
    expect(
      (await operator.inject({ method: 'GET', url: '/api/connections' }))
        .json()
        .connections.map((c: { id: string }) => c.id),
    ).toContain(created.id);
    expect(
      (await viewer.inject({ method: 'GET', url: '/api/connections' }))
        .json()
        .connections.map((c: { id: string }) => c.id),
    ).not.toContain(created.id);
    const hidden = await viewer.inject({ method: 'GET', url: `/api/connections/${created.id}` });
    const missing = await viewer.inject({
      method: 'GET',
      url: '/api/connections/conn_does_not_exist',
    });
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json()).toEqual(missing.json());
    const viewerActor = {
      userId: viewer.user.id,
      role: 'viewer',
      permissions: new Set(viewer.user.permissions),
    } as never;
    await expect(assertConnectionAccess(app.db, viewerActor, created.id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });

    // A per-user grant opens it for that viewer only.
    await admin.inject({
      method: 'PATCH',
      url: `/api/connections/${created.id}`,
      payload: { grants: { userIds: [viewer.user.id] } },
    });
    await admin.inject({
      method: 'PATCH',
      url: `/api/connections/${created.id}`,
      payload: { grants: { userIds: [viewer.user.id, operator.user.id] } },
    });
    const seen = await viewer.inject({ method: 'GET', url: `/api/connections/${created.id}` });
    expect(seen.statusCode).toBe(200);
    // Other grantees are not revealed to non-admins.
    expect(seen.json().grants).toEqual({ roles: ['operator'], userIds: [viewer.user.id] });
    expect(
      (await admin.inject({ method: 'GET', url: `/api/connections/${created.id}` })).json().grants
        .userIds,
    ).toEqual([viewer.user.id, operator.user.id]);
    expect(
      (await auditor.inject({ method: 'GET', url: `/api/connections/${created.id}` })).statusCode,
    ).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/connections' })).statusCode).toBe(401);
  });

  it('deletes with an audit event, and tests a connection through the guarded client', async () => {
    const local = (await admin.inject({ method: 'GET', url: '/api/connections' }))
      .json()
      .connections.find((c: { name: string }) => c.name === 'Local');
    // Without a linked token: reachable, the sandbox wants a token.
    const bare = await admin.inject({ method: 'POST', url: `/api/connections/${local.id}/test` });
    expect(bare.statusCode).toBe(200);
    expect(bare.json()).toMatchObject({ ok: true, status: 401 });
    // With the admin's own personal token linked: the provider's configuration comes back.
    const linked = await admin.inject({
      method: 'PUT',
      url: '/api/token',
      payload: { connectionId: local.id, token: sandbox.config.staticTokens['admin'] },
    });
    expect(linked.statusCode, linked.body).toBe(200);
    const test = await admin.inject({ method: 'POST', url: `/api/connections/${local.id}/test` });
    expect(test.json()).toMatchObject({
      ok: true,
      status: 200,
      serviceProviderConfig: { filter: { supported: true } },
    });
    expect(test.body).not.toContain(sandbox.config.staticTokens['admin']!);

    // Private network not allowed → refused by the guarded client, reported, not thrown.
    await app.db
      .updateTable('connections')
      .set({ allow_private_network: 0 })
      .where('id', '=', local.id)
      .execute();
    const refused = (
      await admin.inject({ method: 'POST', url: `/api/connections/${local.id}/test` })
    ).json();
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/URL_NOT_ALLOWED|refused/i);

    expect(
      (await app.db.selectFrom('connections').select('id').where('id', '=', local.id).execute())
        .length,
    ).toBe(1);
    expect(
      (await admin.inject({ method: 'DELETE', url: `/api/connections/${local.id}` })).statusCode,
    ).toBe(204);
    expect(
      (await admin.inject({ method: 'DELETE', url: `/api/connections/${local.id}` })).statusCode,
    ).toBe(404);
    const logs = (
      await admin.inject({ method: 'GET', url: `/api/logs?scope=all&action=connection.deleted` })
    ).json();
    expect(logs.events[0]).toMatchObject({ connectionId: local.id, details: { name: 'Local' } });
    expect(await listConnectionOrigins(app.db)).not.toContain(providerUrl);
  });

  it('seeds the four demo sandbox connections idempotently', async () => {
    const first = await seedDemoConnections(app.db, app.config);
    const second = await seedDemoConnections(app.db, app.config);
    expect(second).toEqual({ created: [], updated: [] });
    const rows = await app.db
      .selectFrom('connections')
      .selectAll()
      .where('seed_key', 'is not', null)
      .orderBy('name')
      .execute();
    expect(rows.map((r) => [r.name, r.auth_kind, r.execution_mode])).toEqual([
      ['Sandbox (OAuth)', 'oauth2', 'direct'],
      ['Sandbox (SSO login)', 'login', 'direct'],
      ['Sandbox (personal token)', 'static', 'direct'],
      ['Sandbox (relay)', 'oauth2', 'relay'],
    ]);
    expect(first.created.length + first.updated.length).toBeGreaterThanOrEqual(0);
    const oauth = rows.find((r) => r.name === 'Sandbox (OAuth)')!;
    expect(oauth.oauth_issuer).toBe(`${app.config.sandbox!.url}/oidc`);
    expect(
      (await getConnectionForUse(app.db, keyRingFor(app.config.encryption), oauth.id)).oauth
        ?.clientSecret,
    ).toBe(app.config.sandbox!.clientSecret);
    expect(await listConnectionOrigins(app.db)).toContain(new URL(app.config.sandbox!.url).origin);
    // The seeded connections reach the running sandbox through the guarded client.
    const admin2 = await login(app, 'admin');
    const tested = (
      await admin2.inject({ method: 'POST', url: `/api/connections/${oauth.id}/test` })
    ).json();
    expect(tested).toMatchObject({ ok: true });
  });
});

describe('vendor ids', () => {
  it('are exactly the SCIM library profiles', async () => {
    const { VENDOR_PROFILES } = await import('@scim-console/scim');
    const { VENDOR_IDS } = await import('./connections.schemas.ts');
    expect([...VENDOR_IDS].sort()).toEqual(Object.keys(VENDOR_PROFILES).sort());
    expect(VENDOR_IDS).toContain('generic');
  });
});
