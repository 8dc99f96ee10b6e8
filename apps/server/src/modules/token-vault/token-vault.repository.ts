import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { registerSealedColumn } from '../../lib/crypto/index.ts';
import type { Database } from '../../db/tables.ts';
import type { ScimCredentialsTable } from './token-vault.tables.ts';

type Db = Kysely<Database> | Transaction<Database>;

// Every sealed column is registered for key rotation, with the AAD it was sealed under.
registerSealedColumn({
  table: 'scim_credentials',
  idColumn: 'id',
  column: 'access_token_sealed',
  aadColumns: ['user_id', 'connection_id'],
  aad: (row) => ({
    ownerId: String(row['user_id']),
    connectionId: String(row['connection_id']),
    purpose: 'token.access',
  }),
});
registerSealedColumn({
  table: 'scim_credentials',
  idColumn: 'id',
  column: 'refresh_token_sealed',
  aadColumns: ['user_id', 'connection_id'],
  aad: (row) => ({
    ownerId: String(row['user_id']),
    connectionId: String(row['connection_id']),
    purpose: 'token.refresh',
  }),
});
registerSealedColumn({
  table: 'oauth_link_states',
  idColumn: 'state_hash',
  column: 'code_verifier_sealed',
  aadColumns: ['user_id', 'connection_id'],
  aad: (row) => ({
    ownerId: String(row['user_id']),
    connectionId: String(row['connection_id']),
    purpose: 'oauth.pkce_verifier',
  }),
});

export type CredentialRow = ScimCredentialsTable;

/** Every read is keyed by the caller's own user id: there is no "by credential id" lookup. */
export function findCredential(
  db: Db,
  userId: string,
  connectionId: string,
): Promise<CredentialRow | undefined> {
  return db
    .selectFrom('scim_credentials')
    .selectAll()
    .where('user_id', '=', userId)
    .where('connection_id', '=', connectionId)
    .executeTakeFirst();
}

export function listCredentials(db: Db, userId: string): Promise<CredentialRow[]> {
  return db.selectFrom('scim_credentials').selectAll().where('user_id', '=', userId).execute();
}

export type CredentialWrite = Omit<
  CredentialRow,
  'id' | 'created_at' | 'updated_at' | 'token_version'
>;

/** Insert or replace the caller's credential for a connection (atomic); returns the new token version. */
export async function upsertCredential(
  db: Db,
  values: CredentialWrite,
  now: string,
): Promise<number> {
  const row = await db
    .insertInto('scim_credentials')
    .values({ ...values, id: randomUUID(), token_version: 1, created_at: now, updated_at: now })
    .onConflict((oc) =>
      oc.columns(['user_id', 'connection_id']).doUpdateSet((eb) => ({
        ...values,
        token_version: eb('scim_credentials.token_version', '+', 1),
        updated_at: now,
      })),
    )
    .returning('token_version')
    .executeTakeFirstOrThrow();
  return Number(row.token_version);
}

export async function updateCredential(
  db: Db,
  userId: string,
  connectionId: string,
  values: Partial<Omit<CredentialRow, 'id' | 'user_id' | 'connection_id' | 'created_at'>>,
): Promise<void> {
  await db
    .updateTable('scim_credentials')
    .set(values)
    .where('user_id', '=', userId)
    .where('connection_id', '=', connectionId)
    .execute();
}

export async function deleteCredential(
  db: Db,
  userId: string,
  connectionId: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom('scim_credentials')
    .where('user_id', '=', userId)
    .where('connection_id', '=', connectionId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * Takes the refresh lease for (user, connection): inserts it, or takes it over when the
 * previous holder's lease has expired. Works the same on SQLite and PostgreSQL
 * (`INSERT … ON CONFLICT DO UPDATE … WHERE`), and only one concurrent caller can win it.
 */
export async function tryAcquireLease(
  db: Db,
  userId: string,
  connectionId: string,
  holder: string,
  now: Date,
  ttlMs: number,
): Promise<boolean> {
  const nowIso = now.toISOString();
  const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
  const rows = await db
    .insertInto('token_refresh_leases')
    .values({ user_id: userId, connection_id: connectionId, holder, expires_at: expiresAt })
    .onConflict((oc) =>
      oc
        .columns(['user_id', 'connection_id'])
        .doUpdateSet({ holder, expires_at: expiresAt })
        .where('token_refresh_leases.expires_at', '<', nowIso),
    )
    .returning('holder')
    .execute();
  return rows.length === 1 && rows[0]!.holder === holder;
}

export async function releaseLease(
  db: Db,
  userId: string,
  connectionId: string,
  holder: string,
): Promise<void> {
  await db
    .deleteFrom('token_refresh_leases')
    .where('user_id', '=', userId)
    .where('connection_id', '=', connectionId)
    .where('holder', '=', holder)
    .execute();
}

export async function leaseHeld(
  db: Db,
  userId: string,
  connectionId: string,
  now: Date,
): Promise<boolean> {
  const row = await db
    .selectFrom('token_refresh_leases')
    .select('expires_at')
    .where('user_id', '=', userId)
    .where('connection_id', '=', connectionId)
    .executeTakeFirst();
  return row !== undefined && row.expires_at >= now.toISOString();
}
