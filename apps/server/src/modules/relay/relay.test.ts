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
  linkOAuth,
  startTestSandbox,
  type SandboxConnections,
  type TestSandbox,
} from '../token-vault/sandbox.test-support.ts';
import { relayPath } from './relay.service.ts';

forEachDatabase((database) => {
  describe('relay and saved queries against the sandbox', () => {
    let sandbox: TestSandbox;
    let app: TestApp;
    let ids: SandboxConnections;
    let operator: LoggedIn;
    let viewer: LoggedIn;

    beforeAll(async () => {
      sandbox = await startTestSandbox({ accessTokenTtl: 300 });
      app = await buildTestApp({ database });
      const admin = await login(app, 'admin');
      ids = await createSandboxConnections(app, sandbox, admin.user.id);
      operator = await login(app, 'operator');
      viewer = await login(app, 'viewer');
      await linkOAuth(operator, sandbox, ids.relay, 'operator');
      await linkOAuth(viewer, sandbox, ids.relay, 'viewer');
    });
    afterAll(async () => {
      await app?.close();
      await sandbox?.close();
    });

    it('forwards a generated GET with the caller token, and the sandbox sees the caller', async () => {
      const generated = await operator.inject({
        method: 'POST',
        url: '/api/scim-query',
        payload: {
          connectionId: ids.relay,
          resourceType: 'User',
          filter: 'active eq true',
          count: 3,
        },
      });
      expect(generated.statusCode, generated.body).toBe(200);
      const { execution } = generated.json();
      expect(execution.mode).toBe('relay');
      expect(execution.relayUrl).toBe(
        `/api/relay/${ids.relay}/Users?filter=active%20eq%20true&count=3`,
      );
      await sandbox.clearRequests();
      const relayed = await operator.inject({
        method: 'GET',
        url: execution.relayUrl,
        headers: { authorization: 'Bearer attacker-supplied' },
      });
      expect(relayed.statusCode, relayed.body).toBe(200);
      expect(relayed.headers['content-type']).toMatch(/application\/scim\+json/);
      expect(relayed.json()).toMatchObject({
        totalResults: expect.any(Number),
        Resources: expect.any(Array),
      });
      const viewerCall = await viewer.inject({ method: 'GET', url: `/api/relay/${ids.relay}/Me` });
      expect(viewerCall.json().userName).toContain('viewer');
      const log = await sandbox.requests();
      const operatorId = sandbox.accounts.find((a) => a.username === 'operator')!.id;
      const viewerId = sandbox.accounts.find((a) => a.username === 'viewer')!.id;
      expect(log.map((r) => r.subject)).toEqual([operatorId, viewerId]);
      const audit = await app.db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'relay.request')
        .execute();
      expect(audit.length).toBeGreaterThanOrEqual(2);
      expect(audit[0]).toMatchObject({
        outcome_status: 200,
        request_path: '/Users',
        request_filter: 'active eq true',
      });
    });

    it('forwards POST /.search bodies and passes Retry-After through', async () => {
      const generated = (
        await operator.inject({
          method: 'POST',
          url: '/api/scim-query',
          payload: { connectionId: ids.relay, resourceType: 'User', filter: 'userName sw "op"' },
        })
      ).json();
      expect(generated.method).toBe('POST');
      const relayed = await operator.inject({
        method: 'POST',
        url: generated.execution.relayUrl,
        headers: { 'content-type': 'application/scim+json' },
        payload: JSON.stringify(generated.body),
      });
      expect(relayed.statusCode, relayed.body).toBe(200);
      expect(
        relayed.json().Resources.some((u: { userName: string }) => u.userName.startsWith('op')),
      ).toBe(true);
      await fetch(`${sandbox.url}/_sandbox/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: '429', retryAfter: 7, count: 1 }),
      });
      const limited = await operator.inject({
        method: 'GET',
        url: `/api/relay/${ids.relay}/Users?count=1`,
      });
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBe('7');
    });

    it('refreshes once when the provider answers 401, then retries with the new token', async () => {
      await fetch(`${sandbox.url}/_sandbox/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'revoked', count: 1 }),
      });
      const before = sandbox.tokenCalls();
      const relayed = await operator.inject({
        method: 'GET',
        url: `/api/relay/${ids.relay}/Users?count=1`,
      });
      const status = (
        await operator.inject({ method: 'GET', url: `/api/token/status?connectionId=${ids.relay}` })
      ).json();
      expect(relayed.statusCode, `${relayed.body} ${JSON.stringify(status)}`).toBe(200);
      expect(sandbox.tokenCalls()).toBe(before + 1);
    });

    it('refuses paths outside the SCIM surface, writes, and direct-mode connections', async () => {
      for (const path of [
        '/../oidc/token',
        '/%2e%2e/oidc/token',
        '/Users/a/b',
        '/_sandbox/requests',
        '//evil.example/x',
        '/Users%2F..%2F..%2Foidc',
        '/oidc/.well-known/openid-configuration',
      ]) {
        const r = await operator.inject({ method: 'GET', url: `/api/relay/${ids.relay}${path}` });
        expect(r.statusCode, path).toBeGreaterThanOrEqual(400);
        expect(r.statusCode, path).toBeLessThan(500);
      }
      const write = await operator.inject({
        method: 'DELETE',
        url: `/api/relay/${ids.relay}/Users/x`,
      });
      expect(write.statusCode).toBe(400);
      const create = await operator.inject({
        method: 'POST',
        url: `/api/relay/${ids.relay}/Users`,
        headers: { 'content-type': 'application/scim+json' },
        payload: '{}',
      });
      expect(create.statusCode).toBe(400);
      const direct = await operator.inject({ method: 'GET', url: `/api/relay/${ids.oauth}/Users` });
      expect(direct.statusCode).toBe(409);
      const noCsrf = await app.inject({
        method: 'POST',
        url: `/api/relay/${ids.relay}/Users/.search`,
        headers: { cookie: operator.cookie, 'content-type': 'application/scim+json' },
        payload: '{}',
      });
      expect(noCsrf.statusCode).toBe(403);
    });

    it('validates relay paths', () => {
      expect(relayPath('/Users', 'GET')).toEqual({ path: '/Users', search: false });
      expect(relayPath('/Users/.search', 'POST')).toEqual({ path: '/Users/.search', search: true });
      expect(relayPath('/Schemas/urn:ietf:params:scim:schemas:core:2.0:User', 'GET').path).toBe(
        '/Schemas/urn%3Aietf%3Aparams%3Ascim%3Aschemas%3Acore%3A2.0%3AUser',
      );
      for (const bad of [
        '/..',
        '/Users/..',
        '/Users%2f..',
        '/Users/%00',
        '/\\Users',
        '/Users/a/b',
        '',
      ])
        expect(() => relayPath(bad, 'GET'), bad).toThrow();
    });

    it('saves, lists and deletes saved queries per user', async () => {
      const input = {
        connectionId: ids.relay,
        resourceType: 'User',
        preset: { id: 'active-users' },
      };
      const created = await viewer.inject({
        method: 'POST',
        url: '/api/saved-queries',
        payload: { name: 'Active', input },
      });
      expect(created.statusCode, created.body).toBe(201);
      const { id } = created.json();
      expect(
        (
          await viewer.inject({
            method: 'POST',
            url: '/api/saved-queries',
            payload: { name: 'Active', input },
          })
        ).statusCode,
      ).toBe(409);
      const bad = await viewer.inject({
        method: 'POST',
        url: '/api/saved-queries',
        payload: { name: 'Bad', input: { ...input, count: -1 } },
      });
      expect(bad.json().error).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: { field: 'body.input.count' },
      });
      expect(
        (await viewer.inject({ method: 'GET', url: '/api/saved-queries' })).json().queries,
      ).toEqual([{ id, name: 'Active', input, createdAt: expect.any(String) }]);
      expect(
        (await operator.inject({ method: 'GET', url: '/api/saved-queries' })).json().queries,
      ).toEqual([]);
      expect(
        (await operator.inject({ method: 'DELETE', url: `/api/saved-queries/${id}` })).statusCode,
      ).toBe(404);
      expect(
        (await viewer.inject({ method: 'DELETE', url: `/api/saved-queries/${id}` })).statusCode,
      ).toBe(204);
    });
  });
});
