/**
 * Secrets at rest, in logs and in errors (issue 10 item 3). One run links a static token and an
 * OAuth token (refresh token rotated by a refresh), stores connection client secrets, creates
 * and changes passwords, and sends malformed tokens and Authorization headers. Then: the SQLite
 * file with its WAL and SHM (or every text column of every table of the PostgreSQL schema) and
 * the captured server log (level trace) hold none of those plaintexts; no answer echoes a
 * token; rotating the keys (the rotate-keys CLI function) leaves every sealed value readable
 * and equal. Complements apps/server/src/cli/rotate-keys.test.ts and test/logging.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateKeys } from '../../apps/server/src/cli/rotate-keys.ts';
import {
  inspectSealed,
  keyRingFor,
  listSealedColumns,
  open,
} from '../../apps/server/src/lib/crypto/index.ts';
import {
  buildTestApp,
  forEachDatabase,
  login,
  type LoggedIn,
  type TestApp,
} from '../../apps/server/test/helpers/test-app.ts';
import {
  createSandboxConnections,
  linkOAuth,
  startTestSandbox,
  type SandboxConnections,
  type TestSandbox,
} from '../../apps/server/src/modules/token-vault/sandbox.test-support.ts';

/** Header values cannot carry NUL, CR or LF: drop them (the body probes keep them). */
const headerSafe = (value: string) => [...value].filter((c) => c >= ' ').join('');

const unique = (label: string) => `${label}-${randomBytes(12).toString('base64url')}`;

forEachDatabase((database) => {
  describe('no plaintext secret at rest, in logs or in errors', () => {
    let sandbox: TestSandbox;
    let app: TestApp;
    let ids: SandboxConnections;
    let admin: LoggedIn;
    let operator: LoggedIn;
    const log: string[] = [];
    const secrets = new Map<string, string>(); // plaintext → what it is
    const staticTokens = {
      operator: unique('static-op'),
      viewer: unique('static-vw'),
      admin: unique('static-ad'),
      auditor: unique('static-au'),
    };
    const clientSecret = unique('client-secret');

    beforeAll(async () => {
      sandbox = await startTestSandbox({
        accessTokenTtl: 300,
        staticTokens,
        consoleClient: { clientSecret },
      });
      const stream = new Writable({
        write(chunk, _encoding, done) {
          log.push(String(chunk));
          done();
        },
      });
      app = await buildTestApp({ database, deps: { logger: { level: 'trace', stream } } });
      admin = await login(app, 'admin');
      ids = await createSandboxConnections(app, sandbox, admin.user.id);
      secrets.set(clientSecret, 'sandbox client secret');
      for (const [name, token] of Object.entries(staticTokens))
        secrets.set(token, `static token of ${name}`);

      // A connection created over HTTP with its own client secret, then replaced by PATCH.
      const apiSecret = unique('api-client-secret');
      const replaced = unique('replaced-client-secret');
      const created = await admin.inject({
        method: 'POST',
        url: '/api/connections',
        payload: {
          name: 'Secret holder',
          baseUrl: sandbox.scimUrl,
          authKind: 'oauth2',
          allowPrivateNetwork: true,
          oauth: {
            issuer: sandbox.issuer,
            clientId: 'x',
            clientSecret: apiSecret,
            scopes: ['scim:read'],
          },
        },
      });
      expect(created.statusCode, created.body).toBe(201);
      expect(created.body).not.toContain(apiSecret);
      const patched = await admin.inject({
        method: 'PATCH',
        url: `/api/connections/${created.json().id}`,
        payload: {
          oauth: {
            issuer: sandbox.issuer,
            clientId: 'x',
            clientSecret: replaced,
            scopes: ['scim:read'],
          },
        },
      });
      expect(patched.statusCode, patched.body).toBe(200);
      expect(patched.body).not.toContain(replaced);
      secrets.set(apiSecret, 'client secret (POST)');
      secrets.set(replaced, 'client secret (PATCH)');

      // Passwords: a user created with one, then given another.
      const password1 = unique('password-one');
      const password2 = unique('password-two');
      expect(
        (
          await admin.inject({
            method: 'POST',
            url: '/api/users',
            payload: { username: 'carol', role: 'operator', password: password1 },
          })
        ).statusCode,
      ).toBe(201);
      const carol = await login(app, 'carol', password1);
      const patchedUser = await admin.inject({
        method: 'PATCH',
        url: `/api/users/${carol.user.id}`,
        payload: { password: password2 },
      });
      expect(patchedUser.statusCode, patchedUser.body).toBe(200);
      await login(app, 'carol', password2);
      const failed = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'carol', password: password1 },
      });
      expect(failed.statusCode).toBe(401);
      secrets.set(password1, 'password');
      secrets.set(password2, 'password');
      secrets.set('demo-password-for-tests', 'demo password');

      // Tokens: static + OAuth (code + PKCE, then a refresh that rotates the refresh token).
      operator = await login(app, 'operator');
      expect(
        (
          await operator.inject({
            method: 'PUT',
            url: '/api/token',
            payload: { connectionId: ids.static, token: staticTokens.operator },
          })
        ).statusCode,
      ).toBe(200);
      await linkOAuth(operator, sandbox, ids.oauth, 'operator');
      const first = (await operator.inject({ url: `/api/token?connectionId=${ids.oauth}` })).json();
      const refreshed = await operator.inject({
        method: 'POST',
        url: '/api/token/refresh',
        payload: { connectionId: ids.oauth, rejectedFingerprint: first.fingerprint },
      });
      expect(refreshed.statusCode, refreshed.body).toBe(200);
      secrets.set(first.accessToken, 'OAuth access token (first)');
      secrets.set(refreshed.json().accessToken, 'OAuth access token (refreshed)');
      // The refresh token only exists sealed in the database: open it to know what to look for.
      const keyRing = keyRingFor(app.config.encryption);
      for (const column of listSealedColumns()) {
        const rows = await (
          app.db as never as {
            selectFrom(t: string): {
              selectAll(): { execute(): Promise<Record<string, unknown>[]> };
            };
          }
        )
          .selectFrom(column.table)
          .selectAll()
          .execute();
        for (const row of rows) {
          const sealed = row[column.column];
          if (typeof sealed === 'string')
            secrets.set(open(keyRing, sealed, column.aad(row)), `${column.table}.${column.column}`);
        }
      }
      expect([...secrets.values()]).toContain('scim_credentials.refresh_token_sealed');
      secrets.set(operator.cookie.split('=')[1]!, 'session id');
      secrets.set(operator.csrfToken, 'CSRF token');
    });
    afterAll(async () => {
      await app?.close();
      await sandbox?.close();
    });

    it('errors never echo a token or an Authorization header', async () => {
      const probes = [
        unique('probe-token'),
        `${unique('probe')}\u0000\n\r\u202e`,
        `x${'A'.repeat(5000)}`,
        'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.',
      ];
      for (const probe of probes) {
        const answers = [
          await operator.inject({
            method: 'PUT',
            url: '/api/token',
            payload: { connectionId: ids.static, token: probe },
          }),
          await operator.inject({
            method: 'PUT',
            url: '/api/token',
            payload: { connectionId: ids.oauth, token: probe },
          }),
          await operator.inject({
            method: 'PUT',
            url: '/api/token',
            payload: { connectionId: 'nope', token: probe },
          }),
          await app.inject({
            url: '/api/auth/me',
            headers: { authorization: `Bearer ${headerSafe(probe)}` },
          }),
          await app.inject({
            url: '/api/auth/me',
            headers: { cookie: `scim_console_session=${encodeURIComponent(probe)}` },
          }),
          await operator.inject({
            url: `/api/relay/${ids.relay}/Users`,
            headers: { authorization: `Bearer ${headerSafe(probe)}` },
          }),
          await operator.inject({
            method: 'POST',
            url: '/api/token/refresh',
            payload: { connectionId: ids.static, rejectedFingerprint: probe },
          }),
          await operator.inject({ url: `/api/token?connectionId=${encodeURIComponent(probe)}` }),
        ];
        for (const [index, res] of answers.entries()) {
          // (index 6 is a refresh of the caller's own static token: it re-verifies and may succeed)
          if (index !== 6)
            expect(
              res.statusCode,
              `probe ${index}: ${res.body.slice(0, 200)}`,
            ).toBeGreaterThanOrEqual(400);
          expect(res.statusCode).toBeLessThan(500);
          expect(res.body).not.toContain(probe.slice(0, 40));
        }
      }
      // The static token the provider refused is not stored either.
      const status = (
        await operator.inject({ url: `/api/token/status?connectionId=${ids.static}` })
      ).json();
      expect(status.state).toBe('valid');
      expect(
        (await operator.inject({ url: `/api/token?connectionId=${ids.static}` })).json()
          .accessToken,
      ).toBe(staticTokens.operator);
    });

    it('the database holds no plaintext secret (SQLite file + WAL + SHM, or every text column on PostgreSQL)', async () => {
      const hits: string[] = [];
      if (app.testDatabase.kind === 'sqlite') {
        for (const suffix of ['', '-wal', '-shm']) {
          const path = app.testDatabase.location + suffix;
          if (!existsSync(path)) continue;
          const bytes = readFileSync(path).toString('latin1');
          for (const [secret, what] of secrets) {
            if (bytes.includes(Buffer.from(secret, 'utf8').toString('latin1')))
              hits.push(`${what} in ${suffix || 'main file'}`);
          }
        }
        expect(existsSync(app.testDatabase.location + '-wal')).toBe(true);
      } else {
        const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
        await client.connect();
        try {
          const schema = app.testDatabase.location;
          const columns = await client.query<{ table_name: string; column_name: string }>(
            `select table_name, column_name from information_schema.columns where table_schema = $1 and data_type in ('text','character varying','json','jsonb','bytea')`,
            [schema],
          );
          expect(columns.rows.length).toBeGreaterThan(10);
          for (const { table_name, column_name } of columns.rows) {
            const values = await client.query<{ v: string | null }>(
              `select "${column_name}"::text as v from "${schema}"."${table_name}"`,
            );
            for (const { v } of values.rows) {
              if (!v) continue;
              for (const [secret, what] of secrets)
                if (v.includes(secret)) hits.push(`${what} in ${table_name}.${column_name}`);
            }
          }
        } finally {
          await client.end();
        }
      }
      expect(hits).toEqual([]);
    });

    it('the server log (trace level) holds no plaintext secret', () => {
      const text = log.join('');
      expect(log.length).toBeGreaterThan(20);
      const hits = [...secrets].filter(([secret]) => text.includes(secret)).map(([, what]) => what);
      expect(hits).toEqual([]);
    });

    it('key rotation leaves every sealed secret readable and unchanged', async () => {
      const oldRing = keyRingFor(app.config.encryption);
      const before = new Map<string, string>();
      const readAll = async (
        ring: typeof oldRing,
        into: Map<string, string>,
        expectKey?: string,
      ) => {
        for (const column of listSealedColumns()) {
          const rows = await (
            app.db as never as {
              selectFrom(t: string): {
                selectAll(): { execute(): Promise<Record<string, unknown>[]> };
              };
            }
          )
            .selectFrom(column.table)
            .selectAll()
            .execute();
          for (const row of rows) {
            const sealed = row[column.column];
            if (typeof sealed !== 'string') continue;
            if (expectKey) expect(inspectSealed(sealed).keyId).toBe(expectKey);
            into.set(
              `${column.table}.${column.column}.${String(row[column.idColumn])}`,
              open(ring, sealed, column.aad(row)),
            );
          }
        }
      };
      await readAll(oldRing, before);
      expect(before.size).toBeGreaterThanOrEqual(4);
      const keys = new Map(app.config.encryption.keys);
      keys.set('k2', randomBytes(32));
      const config = { ...app.config, encryption: { keys, activeKeyId: 'k2' } };
      const { report } = await rotateKeys(config, { database: app.dbHandle, out: () => {} });
      expect(report?.failed).toBe(0);
      const after = new Map<string, string>();
      await readAll(keyRingFor(config.encryption), after, 'k2');
      expect(after).toEqual(before);
    });
  });
});
