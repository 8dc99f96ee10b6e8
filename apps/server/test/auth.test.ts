import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildTestApp,
  createClock,
  forEachDatabase,
  login,
  sessionCookieFrom,
  TEST_PASSWORD,
  type TestApp,
} from './helpers/test-app.ts';

forEachDatabase((database) => {
  describe('local accounts and sessions', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await buildTestApp({ database });
    });
    afterAll(async () => {
      await app?.close();
    });

    it.each(['admin', 'operator', 'auditor', 'viewer'])(
      'signs in, reads /me and signs out as the demo %s',
      async (username) => {
        const session = await login(app, username);
        expect(session.user.role).toBe(username);
        const me = await session.inject({ method: 'GET', url: '/api/auth/me' });
        expect(me.statusCode).toBe(200);
        expect(me.headers['cache-control']).toBe('no-store');
        const body = me.json();
        expect(body.user).toMatchObject({
          username,
          role: username,
          authSource: 'local',
          preferences: { theme: 'system' },
        });
        expect(body.csrfToken).toBe(session.csrfToken);
        expect(JSON.stringify(body)).not.toMatch(/argon2|password/i);

        const out = await session.inject({ method: 'POST', url: '/api/auth/logout' });
        expect(out.statusCode).toBe(204);
        expect(out.headers['set-cookie']).toMatch(/scim_console_session=;/);
        // The old cookie no longer works: the session row is gone, not just the cookie.
        const after = await session.inject({ method: 'GET', url: '/api/auth/me' });
        expect(after.statusCode).toBe(401);
        expect(after.json().error.code).toBe('SESSION_EXPIRED');
      },
    );

    it('gives the same answer for a wrong password and an unknown user', async () => {
      const wrong = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'operator', password: 'not-the-password' },
        remoteAddress: '10.0.0.1',
      });
      const unknown = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'nobody-here', password: 'not-the-password' },
        remoteAddress: '10.0.0.1',
      });
      expect(wrong.statusCode).toBe(401);
      expect(unknown.statusCode).toBe(401);
      expect(wrong.body).toBe(unknown.body);
      expect(wrong.json()).toEqual({
        error: { code: 'INVALID_CREDENTIALS', message: 'Wrong username or password.' },
      });
      expect(sessionCookieFrom(wrong)).toBeNull();
    });

    it('is anonymous without a cookie', async () => {
      const me = await app.inject({ method: 'GET', url: '/api/auth/me' });
      expect(me.statusCode).toBe(401);
      expect(me.json().error.code).toBe('UNAUTHENTICATED');
    });

    it('answers the public session probe with 200 whether or not anyone is signed in', async () => {
      const anonymous = await app.inject({ method: 'GET', url: '/api/auth/session' });
      expect(anonymous.statusCode).toBe(200);
      expect(anonymous.json()).toEqual({ user: null, csrfToken: null, state: 'none' });
      const session = await login(app, 'auditor');
      const signedIn = await session.inject({ method: 'GET', url: '/api/auth/session' });
      expect(signedIn.statusCode).toBe(200);
      expect(signedIn.headers['cache-control']).toBe('no-store');
      expect(signedIn.json()).toMatchObject({
        user: { username: 'auditor', role: 'auditor' },
        csrfToken: session.csrfToken,
        state: 'active',
      });
    });

    it('sets an HttpOnly, SameSite=Strict cookie (no Secure on http loopback) and rotates the id at login', async () => {
      const first = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'viewer', password: TEST_PASSWORD },
      });
      const setCookie = String(first.headers['set-cookie']);
      expect(setCookie).toMatch(/HttpOnly/i);
      expect(setCookie).toMatch(/SameSite=Strict/i);
      expect(setCookie).toMatch(/Path=\//);
      expect(setCookie).not.toMatch(/Secure/i);
      const oldCookie = sessionCookieFrom(first)!;
      // Signing in again from the same browser issues a new id and ends the old session.
      const second = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'viewer', password: TEST_PASSWORD },
        headers: { cookie: oldCookie },
      });
      const newCookie = sessionCookieFrom(second)!;
      expect(newCookie).not.toBe(oldCookie);
      expect(
        (await app.inject({ url: '/api/auth/me', headers: { cookie: oldCookie } })).statusCode,
      ).toBe(401);
      expect(
        (await app.inject({ url: '/api/auth/me', headers: { cookie: newCookie } })).statusCode,
      ).toBe(200);
    });

    it('stores only hashes of the session id and CSRF token', async () => {
      const session = await login(app, 'auditor');
      const id = session.cookie.split('=')[1]!;
      const rows = await app.db.selectFrom('sessions').select(['id_hash', 'csrf_token']).execute();
      const text = JSON.stringify(rows);
      expect(text).not.toContain(id);
      expect(text).not.toContain(session.csrfToken);
      expect(
        rows.every((r) => /^[0-9a-f]{64}$/.test(r.id_hash) && /^[0-9a-f]{64}$/.test(r.csrf_token)),
      ).toBe(true);
    });

    it('refuses state-changing requests without the right CSRF token', async () => {
      const session = await login(app, 'admin');
      const missing = await app.inject({
        method: 'PUT',
        url: '/api/me/preferences',
        headers: { cookie: session.cookie },
        payload: { theme: 'dark' },
      });
      expect(missing.statusCode).toBe(403);
      expect(missing.json().error.code).toBe('CSRF_INVALID');
      const wrong = await session.inject({
        method: 'POST',
        url: '/api/auth/logout',
        headers: { 'x-csrf-token': 'x'.repeat(43) },
      });
      expect(wrong.statusCode).toBe(403);
      expect(wrong.json().error.code).toBe('CSRF_INVALID');
      const right = await session.inject({
        method: 'PUT',
        url: '/api/me/preferences',
        payload: { theme: 'dark' },
      });
      expect(right.statusCode).toBe(200);
      expect(right.json().preferences.theme).toBe('dark');
    });

    it('refuses a login posted from another origin', async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { origin: 'https://evil.example' },
        payload: { username: 'admin', password: TEST_PASSWORD },
      });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('CSRF_INVALID');
      const same = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { origin: 'http://127.0.0.1:8080' },
        payload: { username: 'admin', password: TEST_PASSWORD },
      });
      expect(same.statusCode).toBe(200);
    });

    it('throttles guessing per username+IP, the same way for real and unknown accounts', async () => {
      for (const username of ['operator', 'ghost-user']) {
        const statuses: number[] = [];
        for (let i = 0; i < 6; i++) {
          const res = await app.inject({
            method: 'POST',
            url: '/api/auth/login',
            payload: { username, password: 'wrong-password' },
            remoteAddress: '10.9.9.9',
          });
          statuses.push(res.statusCode);
        }
        expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
      }
      // Locked even with the right password; other IPs are unaffected.
      const locked = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'operator', password: TEST_PASSWORD },
        remoteAddress: '10.9.9.9',
      });
      expect(locked.statusCode).toBe(429);
      expect(locked.json().error.code).toBe('RATE_LIMITED');
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
      const elsewhere = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'operator', password: TEST_PASSWORD },
        remoteAddress: '10.9.9.10',
      });
      expect(elsewhere.statusCode).toBe(200);
    });
  });

  describe('session timeouts', () => {
    const clock = createClock();
    let app: TestApp;
    beforeAll(async () => {
      app = await buildTestApp({
        database,
        deps: { now: clock.now },
        config: (c) => ({ ...c, session: { idleMinutes: 10, absoluteHours: 1 } }),
      });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('ends a session after the idle timeout', async () => {
      const session = await login(app, 'operator');
      clock.advance(9 * 60_000);
      expect((await session.inject({ url: '/api/auth/me' })).statusCode).toBe(200);
      clock.advance(9 * 60_000); // activity slid the window
      expect((await session.inject({ url: '/api/auth/me' })).statusCode).toBe(200);
      clock.advance(10 * 60_000 + 1);
      const res = await session.inject({ url: '/api/auth/me' });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('SESSION_EXPIRED');
    });

    it('tells the session probe that a session expired, without a 4xx', async () => {
      const session = await login(app, 'viewer');
      clock.advance(10 * 60_000 + 1);
      const probe = await session.inject({ url: '/api/auth/session' });
      expect(probe.statusCode).toBe(200);
      expect(probe.json()).toEqual({ user: null, csrfToken: null, state: 'expired' });
    });

    it('ends an active session at the absolute timeout', async () => {
      const session = await login(app, 'operator');
      for (let i = 0; i < 7; i++) {
        clock.advance(8 * 60_000);
        expect((await session.inject({ url: '/api/auth/me' })).statusCode).toBe(200);
      }
      clock.advance(5 * 60_000); // 61 minutes since login
      expect((await session.inject({ url: '/api/auth/me' })).statusCode).toBe(401);
    });
  });
});

describe('housekeeping', () => {
  it('removes abandoned sessions, spent throttle rows and stale OIDC states', async () => {
    const { runHousekeeping } = await import('../src/modules/auth/housekeeping.ts');
    const clock = createClock();
    const app = await buildTestApp({
      deps: { now: clock.now },
      config: (c) => ({ ...c, session: { idleMinutes: 10, absoluteHours: 1 } }),
    });
    try {
      await login(app, 'viewer');
      await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'viewer', password: 'wrong-password' },
      });
      await runHousekeeping(app.db, app.config, clock.now());
      expect(await app.db.selectFrom('sessions').select('id_hash').execute()).toHaveLength(1);
      clock.advance(11 * 60_000);
      await runHousekeeping(app.db, app.config, clock.now());
      expect(await app.db.selectFrom('sessions').select('id_hash').execute()).toHaveLength(0);
      expect(await app.db.selectFrom('login_throttle').select('key').execute()).toHaveLength(2); // window (15 min) not over…
      clock.advance(60 * 60_000);
      await runHousekeeping(app.db, app.config, clock.now());
      expect(await app.db.selectFrom('login_throttle').select('key').execute()).toHaveLength(0);
    } finally {
      await app.close();
    }
  });
});
