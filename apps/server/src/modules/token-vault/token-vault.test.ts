import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.ts';
import { createDatabase } from '../../db/database.ts';
import { keyRingFor, open } from '../../lib/crypto/index.ts';
import { signInAtIdp } from '../../../test/helpers/idp-browser.ts';
import {
  buildTestApp,
  forEachDatabase,
  login,
  sessionCookieFrom,
  type LoggedIn,
  type TestApp,
} from '../../../test/helpers/test-app.ts';
import {
  authorizeOnly,
  createSandboxConnections,
  linkOAuth,
  startTestSandbox,
  type SandboxConnections,
  type TestSandbox,
} from './sandbox.test-support.ts';

// Against the running sandbox (real SCIM + OAuth/OIDC server), on SQLite and PostgreSQL.

const ENV = { TOKEN_REFRESH_MARGIN_SECONDS: '1' };

forEachDatabase((database) => {
  describe('token vault against the sandbox', () => {
    let sandbox: TestSandbox;
    let app: TestApp;
    let ids: SandboxConnections;
    let operator: LoggedIn;
    let viewer: LoggedIn;

    beforeAll(async () => {
      sandbox = await startTestSandbox();
      app = await buildTestApp({ database, env: ENV });
      const admin = await login(app, 'admin');
      ids = await createSandboxConnections(app, sandbox, admin.user.id);
      operator = await login(app, 'operator');
      viewer = await login(app, 'viewer');
    });
    afterAll(async () => {
      await app?.close();
      await sandbox?.close();
    });

    it('links a static personal token per user, records the SCIM subject, never hands it to another user', async () => {
      for (const [session, name] of [
        [operator, 'operator'],
        [viewer, 'viewer'],
      ] as const) {
        const linked = await session.inject({
          method: 'PUT',
          url: '/api/token',
          payload: { connectionId: ids.static, token: sandbox.staticTokens[name] },
        });
        expect(linked.statusCode, linked.body).toBe(200);
        const status = linked.json();
        expect(status).toMatchObject({
          state: 'valid',
          kind: 'static',
          subject: { userName: expect.stringContaining(name) },
        });
        expect(status.fingerprint).toMatch(/^fp_[0-9a-f]{12}/);
        expect(linked.body).not.toContain(sandbox.staticTokens[name]);
      }
      const mine = await operator.inject({
        method: 'GET',
        url: `/api/token?connectionId=${ids.static}`,
      });
      expect(mine.headers['cache-control']).toBe('no-store');
      expect(mine.json().accessToken).toBe(sandbox.staticTokens['operator']);
      const theirs = await viewer.inject({
        method: 'GET',
        url: `/api/token?connectionId=${ids.static}`,
      });
      expect(theirs.json().accessToken).toBe(sandbox.staticTokens['viewer']);
      // Hostile inputs cannot name another user's credential.
      for (const url of [
        `/api/token?connectionId=${ids.static}&userId=x`,
        `/api/token?connectionId=${ids.static}'--`,
        '/api/token?connectionId=../x',
      ]) {
        const r = await viewer.inject({ method: 'GET', url });
        expect(r.statusCode, url).toBe(400);
        expect(r.body).not.toContain(sandbox.staticTokens['operator']);
      }
    });

    it('refuses a token the provider refuses, and keeps it out of the answer', async () => {
      const bad = await operator.inject({
        method: 'PUT',
        url: '/api/token',
        payload: { connectionId: ids.static, token: 'not-a-valid-token-0123456789abcdef' },
      });
      expect(bad.statusCode).toBe(409);
      expect(bad.json().error.code).toBe('TOKEN_INVALID');
      expect(bad.body).not.toContain('not-a-valid-token');
    });

    it('links OAuth (code + PKCE) for two users, refreshes on expiry, and rotates refresh tokens', async () => {
      expect(await linkOAuth(operator, sandbox, ids.oauth, 'operator')).toBe(
        `/tokens?tokenLinked=${ids.oauth}`,
      );
      expect(await linkOAuth(viewer, sandbox, ids.oauth, 'viewer', '/query?x=1')).toBe(
        `/query?x=1&tokenLinked=${ids.oauth}`,
      );
      const status = (
        await operator.inject({ method: 'GET', url: `/api/token/status?connectionId=${ids.oauth}` })
      ).json();
      expect(status).toMatchObject({
        kind: 'oauth2',
        state: expect.stringMatching(/valid|expiring/),
        subject: { userName: expect.stringContaining('operator') },
      });
      const first = (
        await operator.inject({ method: 'GET', url: `/api/token?connectionId=${ids.oauth}` })
      ).json();
      await new Promise((r) => setTimeout(r, 2200));
      const before = sandbox.tokenCalls();
      const second = (
        await operator.inject({ method: 'GET', url: `/api/token?connectionId=${ids.oauth}` })
      ).json();
      expect(sandbox.tokenCalls()).toBe(before + 1);
      expect(second.accessToken).not.toBe(first.accessToken);
      expect(Date.parse(second.expiresAt)).toBeGreaterThan(Date.now());
      // The new token works at the provider as the same person.
      const me = await fetch(`${sandbox.scimUrl}/Me`, {
        headers: { authorization: `Bearer ${second.accessToken}` },
      });
      expect(me.status).toBe(200);
      // A second refresh works too: the rotated refresh token was stored.
      const refreshed = await operator.inject({
        method: 'POST',
        url: '/api/token/refresh',
        payload: { connectionId: ids.oauth },
      });
      expect(refreshed.statusCode, refreshed.body).toBe(200);
      expect(refreshed.json().status.lastRefreshAt).not.toBeNull();
    });

    it('single-flight: 50 simultaneous refreshes make one token-endpoint call', async () => {
      await new Promise((r) => setTimeout(r, 2100));
      const before = sandbox.tokenCalls();
      const answers = await Promise.all(
        Array.from({ length: 50 }, () =>
          operator.inject({
            method: 'POST',
            url: '/api/token/refresh',
            payload: { connectionId: ids.oauth },
          }),
        ),
      );
      expect(answers.map((a) => a.statusCode)).toEqual(Array(50).fill(200));
      expect(new Set(answers.map((a) => a.json().accessToken)).size).toBe(1);
      expect(sandbox.tokenCalls() - before).toBe(1);
      // Right after, a plain refresh is satisfied by that one; naming the refused token forces a new one.
      const same = (
        await operator.inject({
          method: 'POST',
          url: '/api/token/refresh',
          payload: { connectionId: ids.oauth },
        })
      ).json();
      expect(same.accessToken).toBe(answers[0]!.json().accessToken);
      const forced = (
        await operator.inject({
          method: 'POST',
          url: '/api/token/refresh',
          payload: { connectionId: ids.oauth, rejectedFingerprint: same.fingerprint },
        })
      ).json();
      expect(forced.fingerprint).not.toBe(same.fingerprint);
      expect(sandbox.tokenCalls() - before).toBe(2);
    });

    it('state is single use and bound to the user that started it; returnTo cannot leave the site', async () => {
      const start = await operator.inject({
        method: 'GET',
        url: `/api/token/oauth/start?connectionId=${ids.oauth}&returnTo=/tokens`,
      });
      const callback = (
        await authorizeOnly(String(start.headers.location), sandbox, 'operator')
      ).slice('http://127.0.0.1:8080'.length);
      // Another user's session cannot complete it (and that burns the state).
      const stolen = await viewer.inject({ method: 'GET', url: callback });
      expect(stolen.headers.location).toBe('/tokens?tokenError=FORBIDDEN');
      const replay = await operator.inject({ method: 'GET', url: callback });
      expect(replay.headers.location).toBe('/tokens?tokenError=VALIDATION_FAILED');
      for (const returnTo of [
        '//evil.example/x',
        'https://evil.example/',
        '/\\evil.example',
        'javascript:alert(1)',
      ]) {
        const r = await operator.inject({
          method: 'GET',
          url: `/api/token/oauth/start?connectionId=${ids.oauth}&returnTo=${encodeURIComponent(returnTo)}`,
        });
        expect(r.statusCode, returnTo).toBe(400);
      }
      // Without the (SameSite=Strict) cookie the callback asks for one same-site hop, consuming nothing.
      const anonymous = await app.inject({
        method: 'GET',
        url: '/api/token/oauth/callback?state=abc&code=x',
      });
      expect(anonymous.headers.location).toBe('/?tokenError=VALIDATION_FAILED');
    });

    it('revocation at the provider → TOKEN_REVOKED, "reconnect"', async () => {
      await fetch(`${sandbox.url}/_sandbox/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'viewer' }),
      });
      const r = await viewer.inject({
        method: 'POST',
        url: '/api/token/refresh',
        payload: { connectionId: ids.oauth },
      });
      expect(r.statusCode).toBe(409);
      expect(r.json().error.code).toBe('TOKEN_REVOKED');
      expect(r.json().error.message).toMatch(/reconnect/i);
      const status = (
        await viewer.inject({ method: 'GET', url: `/api/token/status?connectionId=${ids.oauth}` })
      ).json();
      expect(status.state).toBe('revoked');
      const get = await viewer.inject({
        method: 'GET',
        url: `/api/token?connectionId=${ids.oauth}`,
      });
      expect(get.json().error.code).toBe('TOKEN_REVOKED');
    });

    it('lists statuses, unlinks, and audits every step without the token', async () => {
      const all = (await operator.inject({ method: 'GET', url: '/api/token/status' })).json();
      expect(all.statuses.map((s: { connectionId: string }) => s.connectionId).sort()).toEqual(
        Object.values(ids).sort(),
      );
      expect(
        all.statuses.find((s: { connectionId: string }) => s.connectionId === ids.login).state,
      ).toBe('missing');
      // The refresh token as stored (sealed with the user's AAD), to prove it is revoked at the provider.
      const row = await app.db
        .selectFrom('scim_credentials')
        .selectAll()
        .where('user_id', '=', operator.user.id)
        .where('connection_id', '=', ids.oauth)
        .executeTakeFirstOrThrow();
      const refreshToken = open(keyRingFor(app.config.encryption), row.refresh_token_sealed!, {
        ownerId: operator.user.id,
        connectionId: ids.oauth,
        purpose: 'token.refresh',
      });
      const del = await operator.inject({
        method: 'DELETE',
        url: `/api/token?connectionId=${ids.oauth}`,
      });
      expect(del.statusCode).toBe(204);
      const grant = await fetch(`${sandbox.issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${sandbox.consoleClient.clientId}:${sandbox.consoleClient.clientSecret}`).toString('base64')}`,
        },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
        }).toString(),
      });
      expect(grant.status).toBe(400);
      expect(((await grant.json()) as { error: string }).error).toBe('invalid_grant');
      expect(
        (
          await operator.inject({ method: 'GET', url: `/api/token?connectionId=${ids.oauth}` })
        ).json().error.code,
      ).toBe('TOKEN_MISSING');
      const events = await app.db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', 'like', 'token.%')
        .execute();
      const actions = new Set(events.map((e) => e.action));
      for (const action of [
        'token.linked',
        'token.refreshed',
        'token.refresh_failed',
        'token.unlinked',
      ])
        expect(actions).toContain(action);
      const text = JSON.stringify(events);
      for (const token of Object.values(sandbox.staticTokens)) expect(text).not.toContain(token);
    });
  });
});

forEachDatabase((database) => {
  describe('single-flight across two server instances on one database', () => {
    let sandbox: TestSandbox;
    let a: TestApp;
    let b: FastifyInstance;

    beforeAll(async () => {
      sandbox = await startTestSandbox();
      a = await buildTestApp({ database, env: ENV });
      // A second replica: its own app, pool and in-process state, the same database.
      b = await buildApp(a.config, { logger: false, database: createDatabase(a.config.database) });
    });
    afterAll(async () => {
      await b?.close();
      await a?.close();
      await sandbox?.close();
    });

    it('50 refreshes split over both replicas make exactly one token-endpoint call', async () => {
      const admin = await login(a, 'admin');
      const ids = await createSandboxConnections(a, sandbox, admin.user.id);
      const operator = await login(a, 'operator');
      await linkOAuth(operator, sandbox, ids.oauth, 'operator');
      await new Promise((r) => setTimeout(r, 2100));
      const before = sandbox.tokenCalls();
      const request = (app: FastifyInstance) =>
        app.inject({
          method: 'POST',
          url: '/api/token/refresh',
          payload: { connectionId: ids.oauth },
          headers: { cookie: operator.cookie, 'x-csrf-token': operator.csrfToken },
        });
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => request(i % 2 === 0 ? a : b)),
      );
      expect(answers.map((r) => r.statusCode)).toEqual(Array(50).fill(200));
      expect(new Set(answers.map((r) => r.json().accessToken)).size).toBe(1);
      expect(sandbox.tokenCalls() - before).toBe(1);
      const refreshed = await a.db
        .selectFrom('audit_events')
        .select('action')
        .where('action', '=', 'token.refreshed')
        .execute();
      expect(refreshed).toHaveLength(1);
    });
  });
});

describe('login kind: the SSO sign-in token, per user', () => {
  const PUBLIC_URL = 'http://127.0.0.1:8080';
  let sandbox: TestSandbox;
  let app: TestApp;
  let ids: SandboxConnections;

  beforeAll(async () => {
    sandbox = await startTestSandbox({ env: {} });
    app = await buildTestApp({ env: { ...ENV, SANDBOX_URL: sandbox.url, PUBLIC_URL } });
    ids = await createSandboxConnections(app, sandbox, (await login(app, 'admin')).user.id);
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
  });

  async function ssoSession(username: string): Promise<string> {
    const start = await app.inject({ method: 'GET', url: '/api/auth/oidc/start?returnTo=/' });
    const binding = String(start.headers['set-cookie']).split(';')[0]!;
    const callback = await signInAtIdp(
      String(start.headers.location),
      { username, password: sandbox.password },
      `${PUBLIC_URL}/api/auth/oidc/callback`,
    );
    const done = await app.inject({
      method: 'GET',
      url: callback.slice(PUBLIC_URL.length),
      headers: { cookie: binding },
    });
    return sessionCookieFrom(done)!;
  }

  it('stores each user their own SSO token with its subject, and refreshes it through the SSO issuer', async () => {
    const cookies = { operator: await ssoSession('operator'), viewer: await ssoSession('viewer') };
    const tokens: Record<string, string> = {};
    for (const [name, cookie] of Object.entries(cookies)) {
      const status = (
        await app.inject({
          url: `/api/token/status?connectionId=${ids.login}`,
          headers: { cookie },
        })
      ).json();
      expect(status).toMatchObject({
        kind: 'login',
        subject: { userName: expect.stringContaining(name) },
      });
      tokens[name] = (
        await app.inject({ url: `/api/token?connectionId=${ids.login}`, headers: { cookie } })
      ).json().accessToken;
    }
    expect(tokens['operator']).not.toBe(tokens['viewer']);
    await new Promise((r) => setTimeout(r, 2100));
    const before = sandbox.tokenCalls();
    const fresh = (
      await app.inject({
        url: `/api/token?connectionId=${ids.login}`,
        headers: { cookie: cookies.operator },
      })
    ).json();
    expect(sandbox.tokenCalls()).toBe(before + 1);
    expect(fresh.accessToken).not.toBe(tokens['operator']);
    const me = await fetch(`${sandbox.scimUrl}/Me`, {
      headers: { authorization: `Bearer ${fresh.accessToken}` },
    });
    expect(((await me.json()) as { userName: string }).userName).toContain('operator');
  });
});
