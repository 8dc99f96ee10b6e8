import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildTestApp,
  forEachDatabase,
  login,
  type LoggedIn,
  type TestApp,
} from './helpers/test-app.ts';

const PNG_1PX =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

forEachDatabase((database) => {
  let app: TestApp;
  let admin: LoggedIn;
  beforeAll(async () => {
    app = await buildTestApp({ database });
    admin = await login(app, 'admin');
  });
  afterAll(async () => {
    await app?.close();
  });

  describe('users admin API', () => {
    it('lists, creates, updates and deletes users, auditing each change', async () => {
      const list = await admin.inject({ method: 'GET', url: '/api/users' });
      expect(list.statusCode).toBe(200);
      expect(list.json().users.map((u: { username: string }) => u.username)).toEqual([
        'admin',
        'auditor',
        'operator',
        'viewer',
      ]);

      const created = await admin.inject({
        method: 'POST',
        url: '/api/users',
        payload: {
          username: 'Dana.Q',
          displayName: 'Dana Q',
          role: 'operator',
          password: 'a-long-password',
        },
      });
      expect(created.statusCode).toBe(201);
      const dana = created.json();
      expect(dana).toMatchObject({
        username: 'dana.q',
        displayName: 'Dana Q',
        role: 'operator',
        authSource: 'local',
        disabled: false,
      });
      expect(dana.permissions).toContain('query:free-filter');
      expect(JSON.stringify(dana)).not.toMatch(/hash|argon/);

      const danaSession = await login(app, 'dana.q', 'a-long-password');
      const dup = await admin.inject({
        method: 'POST',
        url: '/api/users',
        payload: { username: 'DANA.q', role: 'viewer' },
      });
      expect(dup.statusCode).toBe(409);
      expect(dup.json().error).toMatchObject({
        code: 'CONFLICT',
        details: { field: 'body.username' },
      });

      const demoted = await admin.inject({
        method: 'PATCH',
        url: `/api/users/${dana.id}`,
        payload: { role: 'viewer' },
      });
      expect(demoted.json()).toMatchObject({
        role: 'viewer',
        permissions: ['query:run', 'token:own', 'history:own'],
      });
      // The role applies to the running session at once.
      expect((await danaSession.inject({ url: '/api/auth/me' })).json().user.role).toBe('viewer');

      const disabled = await admin.inject({
        method: 'PATCH',
        url: `/api/users/${dana.id}`,
        payload: { disabled: true },
      });
      expect(disabled.json().disabled).toBe(true);
      expect((await danaSession.inject({ url: '/api/auth/me' })).statusCode).toBe(401);
      const refused = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'dana.q', password: 'a-long-password' },
      });
      expect(refused.json().error.code).toBe('INVALID_CREDENTIALS');

      expect(
        (await admin.inject({ method: 'DELETE', url: `/api/users/${dana.id}` })).statusCode,
      ).toBe(204);
      expect(
        (await admin.inject({ method: 'DELETE', url: `/api/users/${dana.id}` })).statusCode,
      ).toBe(404);

      const actions = await app.db
        .selectFrom('audit_events')
        .select('action')
        .where('action', 'like', 'user.%')
        .orderBy('seq')
        .execute();
      expect(actions.map((a) => a.action)).toEqual([
        'user.created',
        'user.updated',
        'user.updated',
        'user.deleted',
      ]);
    });

    it('validates input and names the field', async () => {
      const bad = await admin.inject({
        method: 'POST',
        url: '/api/users',
        payload: { username: 'x y', role: 'superuser', password: 'short' },
      });
      expect(bad.statusCode).toBe(400);
      const error = bad.json().error;
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.details.issues.map((i: { field: string }) => i.field).sort()).toEqual([
        'body.password',
        'body.role',
        'body.username',
      ]);
      const unknownField = await admin.inject({
        method: 'PATCH',
        url: '/api/users/abc',
        payload: { isAdmin: true },
      });
      expect(unknownField.statusCode).toBe(400);
    });

    it('keeps at least one active admin and never deletes the caller', async () => {
      const me = admin.user.id;
      const demote = await admin.inject({
        method: 'PATCH',
        url: `/api/users/${me}`,
        payload: { role: 'viewer' },
      });
      expect(demote.statusCode).toBe(409);
      expect(demote.json().error.code).toBe('CONFLICT');
      expect((await admin.inject({ method: 'DELETE', url: `/api/users/${me}` })).statusCode).toBe(
        409,
      );
    });

    it('ends the sessions of a user whose password an admin changes', async () => {
      const viewer = await login(app, 'viewer');
      const id = viewer.user.id;
      expect(
        (
          await admin.inject({
            method: 'PATCH',
            url: `/api/users/${id}`,
            payload: { password: 'another-long-password' },
          })
        ).statusCode,
      ).toBe(200);
      expect((await viewer.inject({ url: '/api/auth/me' })).statusCode).toBe(401);
      await login(app, 'viewer', 'another-long-password');
    });
  });

  describe('branding and preferences', () => {
    it('serves default branding publicly and lets only an admin change it', async () => {
      expect((await app.inject({ url: '/api/settings/branding' })).json()).toEqual({
        name: 'SCIM Console',
        primaryColor: '#0d6efd',
        logoDataUrl: null,
      });
      const put = await admin.inject({
        method: 'PUT',
        url: '/api/settings/branding',
        payload: { name: 'Acme IAM', primaryColor: '#AA3300', logoDataUrl: PNG_1PX },
      });
      expect(put.statusCode).toBe(200);
      expect(put.json()).toEqual({
        name: 'Acme IAM',
        primaryColor: '#aa3300',
        logoDataUrl: PNG_1PX,
      });
      expect((await app.inject({ url: '/api/settings/branding' })).json().name).toBe('Acme IAM');
    });

    it('refuses scriptable or oversized logos and bad colours', async () => {
      const cases = [
        { logoDataUrl: 'data:text/html;base64,PHNjcmlwdD4=' },
        { logoDataUrl: 'javascript:alert(1)' },
        { logoDataUrl: `data:image/png;base64,${Buffer.alloc(101 * 1024).toString('base64')}` },
        { primaryColor: 'red' },
      ];
      for (const change of cases) {
        const res = await admin.inject({
          method: 'PUT',
          url: '/api/settings/branding',
          payload: { name: 'X', primaryColor: '#000000', logoDataUrl: null, ...change },
        });
        expect(res.statusCode).toBe(400);
        expect(res.json().error.details.field).toMatch(/^body\.(logoDataUrl|primaryColor)$/);
      }
    });

    it('stores each user their own theme', async () => {
      const operator = await login(app, 'operator');
      const res = await operator.inject({
        method: 'PUT',
        url: '/api/me/preferences',
        payload: { theme: 'dark' },
      });
      expect(res.json().preferences).toEqual({ theme: 'dark' });
      expect((await operator.inject({ url: '/api/auth/me' })).json().user.preferences.theme).toBe(
        'dark',
      );
      expect((await admin.inject({ url: '/api/auth/me' })).json().user.preferences.theme).toBe(
        'system',
      );
      const bad = await operator.inject({
        method: 'PUT',
        url: '/api/me/preferences',
        payload: { theme: 'neon' },
      });
      expect(bad.json().error.details.field).toBe('body.theme');
    });
  });
});
