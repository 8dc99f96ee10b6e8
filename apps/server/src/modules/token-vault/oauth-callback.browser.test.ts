import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, testConfig } from '../../../test/helpers/test-app.ts';
import { buildApp } from '../../app.ts';
import { createSandboxConnections, startTestSandbox } from './sandbox.test-support.ts';

// The OAuth callback in a real browser. The console runs at http://localhost:PORT and the
// provider at http://127.0.0.1:PORT — different sites — so the provider's redirect back is a
// cross-site navigation and Chromium withholds the SameSite=Strict session cookie. The callback
// must then reload itself same-site (one meta refresh) and finish the link with the cookie.

const CHROMIUM = '/usr/bin/chromium';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe.skipIf(!existsSync(CHROMIUM))('OAuth link in Chromium across sites', () => {
  it('arrives without the Strict cookie, reloads same-site with it, and links the token', async () => {
    const port = await freePort();
    const origin = `http://localhost:${port}`;
    const sandbox = await startTestSandbox({
      accessTokenTtl: 300,
      consoleClient: { redirectUris: [`${origin}/api/token/oauth/callback`] },
    });
    const { handle, database } = await createTestDatabase('sqlite');
    const app = await buildApp(testConfig({ env: { PUBLIC_URL: origin } }, database), {
      logger: false,
      database: handle,
    });
    const profile = mkdtempSync(join(tmpdir(), 'scim-console-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    try {
      await app.listen({ port, host: '127.0.0.1' });
      const admin = await app.db
        .selectFrom('users')
        .select('id')
        .where('username', '=', 'admin')
        .executeTakeFirstOrThrow();
      const ids = await createSandboxConnections(app, sandbox, admin.id);
      const page = await context.newPage();
      const hops: Promise<{ second: boolean; cookie: boolean }>[] = [];
      page.on('request', (request) => {
        if (!request.url().includes('/api/token/oauth/callback')) return;
        hops.push(
          request.allHeaders().then((h) => ({
            second: request.url().includes('_r=1'),
            cookie: /scim_console_session=/.test(h['cookie'] ?? ''),
          })),
        );
      });
      await page.goto(`${origin}/api/auth/providers`);
      const signedIn = await page.evaluate(async () => {
        const r = await fetch('/api/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'operator', password: 'demo-password-for-tests' }),
        });
        return r.status;
      });
      expect(signedIn).toBe(200);
      await page.goto(`${origin}/api/token/oauth/start?connectionId=${ids.oauth}&returnTo=/tokens`);
      expect(page.url().startsWith(sandbox.url)).toBe(true);
      await page.fill('#username', 'operator');
      await page.fill('#password', sandbox.password);
      await page.click('button[type=submit]');
      await page.click('text=Allow');
      await page.waitForURL(/tokenLinked|tokenError/, { timeout: 15_000 });
      expect(page.url()).toBe(`${origin}/tokens?tokenLinked=${ids.oauth}`);
      expect(await Promise.all(hops)).toEqual([
        { second: false, cookie: false },
        { second: true, cookie: true },
      ]);
      const status = await page.evaluate(
        async (id) => (await fetch(`/api/token/status?connectionId=${id}`)).json(),
        ids.oauth,
      );
      expect(status).toMatchObject({
        state: 'valid',
        kind: 'oauth2',
        subject: { userName: expect.stringContaining('operator') },
      });
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
      await app.close();
      await sandbox.close();
    }
  });
});
