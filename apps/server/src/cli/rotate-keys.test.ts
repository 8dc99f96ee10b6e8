import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  buildTestApp,
  forEachDatabase,
  login,
  testConfig,
  type TestApp,
} from '../../test/helpers/test-app.ts';
import {
  createKeyRing,
  fingerprintToken,
  keyRingFor,
  listSealedColumns,
  open,
  seal,
} from '../lib/crypto/index.ts';
import { verifyAuditChain } from '../modules/audit/audit.repository.ts';
import { rotateKeys } from './rotate-keys.ts';

const K1 = Buffer.alloc(32, 1); // TEST_ENV's k1
const K2 = randomBytes(32);
const secretOf = (i: number) => `rotation-secret-${i}-${'x'.repeat(20)}-END`;

forEachDatabase((database) => {
  let app: TestApp;
  const connectionIds: string[] = [];

  beforeAll(async () => {
    app = await buildTestApp({ database });
    const admin = await login(app, 'admin');
    for (let i = 0; i < 5; i++) {
      const res = await admin.inject({
        method: 'POST',
        url: '/api/connections',
        payload: {
          name: `Rot ${i}`,
          baseUrl: `https://p${i}.example.com/scim/v2`,
          authKind: 'oauth2',
          oauth: { issuer: 'https://idp.example.com', clientId: 'c', clientSecret: secretOf(i) },
        },
      });
      expect(res.statusCode).toBe(201);
      connectionIds.push(res.json().id);
    }
    // Per-user credentials as the token vault stores them (sealed under k1 with their AAD).
    const ring1 = keyRingFor(app.config.encryption);
    const users = await app.db.selectFrom('users').select('id').execute();
    const now = new Date().toISOString();
    let n = 100;
    for (const user of users) {
      for (const connectionId of connectionIds.slice(0, 3)) {
        n++;
        await app.db
          .insertInto('scim_credentials')
          .values({
            id: `cred_${n}`,
            user_id: user.id,
            connection_id: connectionId,
            kind: 'oauth2',
            state: 'active',
            access_token_sealed: seal(ring1, secretOf(n), {
              ownerId: user.id,
              connectionId,
              purpose: 'token.access',
            }),
            refresh_token_sealed: seal(ring1, secretOf(n + 1000), {
              ownerId: user.id,
              connectionId,
              purpose: 'token.refresh',
            }),
            token_type: 'Bearer',
            expires_at: null,
            scopes: '[]',
            subject_id: null,
            subject_user_name: null,
            fingerprint: fingerprintToken(app.config.fingerprintKey, secretOf(n)),
            token_version: 1,
            message: null,
            last_refresh_at: null,
            last_verified_at: null,
            created_at: now,
            updated_at: now,
          } as never)
          .execute();
      }
    }
  });
  afterAll(async () => {
    await app?.close();
  });

  it('re-encrypts every registered column to the new key, idempotently, and audits it', async () => {
    const columns = listSealedColumns().map((c) => `${c.table}.${c.column}`);
    expect(columns).toEqual(
      expect.arrayContaining([
        'connections.oauth_client_secret_sealed',
        'scim_credentials.access_token_sealed',
        'scim_credentials.refresh_token_sealed',
      ]),
    );

    const config2 = testConfig(
      {
        env: {
          ENCRYPTION_KEYS: `k1:${K1.toString('base64')},k2:${K2.toString('base64')}`,
          ENCRYPTION_ACTIVE_KEY: 'k2',
        },
      },
      app.config.database,
    );
    const lines: string[] = [];
    const { report, counts } = await rotateKeys(config2, {
      database: app.dbHandle,
      batchSize: 4,
      out: (l) => lines.push(l),
    });
    expect(report!.failed).toBe(0);
    const byColumn = Object.fromEntries(report!.columns.map((c) => [`${c.table}.${c.column}`, c]));
    expect(byColumn['connections.oauth_client_secret_sealed']).toMatchObject({
      rotated: 5,
      rotatedFrom: { k1: 5 },
    });
    const users = (await app.db.selectFrom('users').select('id').execute()).length;
    expect(byColumn['scim_credentials.access_token_sealed']).toMatchObject({
      rotated: users * 3,
      rotatedFrom: { k1: users * 3 },
    });
    expect(counts['scim_credentials.refresh_token_sealed']).toEqual({ k2: users * 3 });
    expect(lines.join('\n')).toMatch(
      /connections\.oauth_client_secret_sealed: scanned 5, rotated 5 \(k1: 5\)/,
    );
    expect(lines.join('\n')).not.toContain('rotation-secret');

    // Every secret opens with k2 alone: k1 can now be retired.
    const onlyK2 = createKeyRing({ keys: new Map([['k2', K2]]), activeKeyId: 'k2' });
    const conns = await app.db
      .selectFrom('connections')
      .select(['id', 'oauth_client_secret_sealed'])
      .where('id', 'in', connectionIds)
      .orderBy('name')
      .execute();
    expect(
      conns.map((c) =>
        open(onlyK2, c.oauth_client_secret_sealed!, {
          ownerId: 'connection',
          connectionId: c.id,
          purpose: 'connection.client_secret',
        }),
      ),
    ).toEqual([0, 1, 2, 3, 4].map(secretOf));
    const creds = await app.db.selectFrom('scim_credentials').selectAll().execute();
    for (const c of creds) {
      const n = Number(c.id.slice(5));
      expect(
        open(onlyK2, c.access_token_sealed, {
          ownerId: c.user_id,
          connectionId: c.connection_id,
          purpose: 'token.access',
        }),
      ).toBe(secretOf(n));
      expect(
        open(onlyK2, c.refresh_token_sealed!, {
          ownerId: c.user_id,
          connectionId: c.connection_id,
          purpose: 'token.refresh',
        }),
      ).toBe(secretOf(n + 1000));
    }

    // Second run: nothing to do.
    const again = await rotateKeys(config2, { database: app.dbHandle, out: () => {} });
    expect(again.report!.rotated).toBe(0);
    const events = await app.db
      .selectFrom('audit_events')
      .select(['details'])
      .where('action', '=', 'keys.rotated')
      .orderBy('seq')
      .execute();
    expect(events.map((e) => JSON.parse(e.details!).rotated)).toEqual([5 + users * 6, 0]);
    expect(await verifyAuditChain(app.db)).toMatchObject({ ok: true });
  });

  it('reports a value it cannot open and leaves it untouched', async () => {
    const victim = connectionIds[0]!;
    // A sealed value moved to another row (its AAD no longer matches) cannot be opened.
    const other = await app.db
      .selectFrom('connections')
      .select('oauth_client_secret_sealed')
      .where('id', '=', connectionIds[1]!)
      .executeTakeFirstOrThrow();
    const movedK1 = seal(keyRingFor(app.config.encryption), 'moved', {
      ownerId: 'connection',
      connectionId: connectionIds[1]!,
      purpose: 'connection.client_secret',
    });
    await app.db
      .updateTable('connections')
      .set({ oauth_client_secret_sealed: movedK1 })
      .where('id', '=', victim)
      .execute();
    const config2 = testConfig(
      {
        env: {
          ENCRYPTION_KEYS: `k1:${K1.toString('base64')},k2:${K2.toString('base64')}`,
          ENCRYPTION_ACTIVE_KEY: 'k2',
        },
      },
      app.config.database,
    );
    const { report } = await rotateKeys(config2, { database: app.dbHandle, out: () => {} });
    expect(report!.failed).toBe(1);
    expect(report!.columns.find((c) => c.table === 'connections')!.failed).toEqual([
      { id: victim, code: 'SEAL_AUTH_FAILED' },
    ]);
    const after = await app.db
      .selectFrom('connections')
      .select('oauth_client_secret_sealed')
      .where('id', '=', victim)
      .executeTakeFirstOrThrow();
    expect(after.oauth_client_secret_sealed).toBe(movedK1);
    expect(other.oauth_client_secret_sealed).toMatch(/^v1\.k2\./);
  });

  if (database === 'sqlite') {
    it('leaves no stored secret in plaintext in the database files', () => {
      const path = app.testDatabase.location;
      const text = [path, `${path}-wal`]
        .map((p) => {
          try {
            return readFileSync(p).toString('latin1');
          } catch {
            return '';
          }
        })
        .join('');
      expect(text).toContain('Rot 0');
      expect(text).not.toContain('rotation-secret');
    });
  }
});
