import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { redactUrl } from '../src/plugins/logging.ts';
import { buildTestApp, login, TEST_PASSWORD } from './helpers/test-app.ts';

describe('structured logs', () => {
  it('carry no passwords, cookies, session ids, CSRF tokens or bearer tokens', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const app = await buildTestApp({ deps: { logger: { level: 'trace', stream } } });
    try {
      const session = await login(app, 'admin');
      await session.inject({
        method: 'PUT',
        url: '/api/me/preferences',
        payload: { theme: 'dark' },
        headers: { authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.secret-token-value' },
      });
      await app.inject({ url: '/api/auth/oidc/callback?code=authcode-123&state=state-456' });
      app.log.info(
        {
          password: 'pw-in-object',
          token: 'tok-in-object',
          nested: { accessToken: 'at-in-object' },
        },
        'module log',
      );
      const text = lines.join('');
      expect(text).toContain('"url":"/api/me/preferences"'); // requests are logged…
      for (const secret of [
        TEST_PASSWORD,
        session.cookie.split('=')[1]!,
        session.csrfToken,
        'secret-token-value',
        'authcode-123',
        'state-456',
        'pw-in-object',
        'tok-in-object',
        'at-in-object',
      ]) {
        expect(text, secret).not.toContain(secret); // …without their secrets
      }
      expect(text).toContain('[REDACTED]');
    } finally {
      await app.close();
    }
  });

  it('masks credential-like query parameters in URLs', () => {
    expect(redactUrl('/cb?code=abc&state=def&returnTo=%2Fx')).toBe(
      '/cb?code=%5BREDACTED%5D&state=%5BREDACTED%5D&returnTo=%2Fx',
    );
    expect(redactUrl('/api/users')).toBe('/api/users');
  });
});
