/**
 * Token vault, generated queries, saved queries (scim-features).
 * FROZEN — do not edit after it has shipped; add a new migration instead.
 * Portable DDL: text ids, ISO-8601 UTC text timestamps (toISOString: fixed width, so they
 * compare correctly as text), booleans as integer 0/1, JSON as text.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- frozen migration, no app types
export async function up(db: Kysely<any>): Promise<void> {
  // One credential per (user, connection). Secrets are sealed (lib/crypto) with AAD
  // (owner = user id, connection id, purpose) and registered for key rotation.
  await db.schema
    .createTable('scim_credentials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('connection_id', 'text', (c) =>
      c.notNull().references('connections.id').onDelete('cascade'),
    )
    .addColumn('kind', 'text', (c) => c.notNull()) // static | oauth2 | login
    .addColumn('state', 'text', (c) => c.notNull()) // active | revoked | invalid
    .addColumn('access_token_sealed', 'text', (c) => c.notNull())
    .addColumn('refresh_token_sealed', 'text')
    .addColumn('token_type', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('scopes', 'text', (c) => c.notNull()) // JSON string[]
    .addColumn('subject_id', 'text')
    .addColumn('subject_user_name', 'text')
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('token_version', 'integer', (c) => c.notNull()) // +1 for every new access token
    .addColumn('message', 'text')
    .addColumn('last_refresh_at', 'text')
    .addColumn('last_verified_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('scim_credentials_owner_unique', ['user_id', 'connection_id'])
    .execute();
  await db.schema
    .createIndex('scim_credentials_connection_idx')
    .on('scim_credentials')
    .column('connection_id')
    .execute();

  // Refresh single-flight across replicas: a row is a lease, taken by insert, or by update
  // when the previous holder's lease has expired (it crashed or timed out).
  await db.schema
    .createTable('token_refresh_leases')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('token_refresh_leases_pk', ['user_id', 'connection_id'])
    .execute();

  // OAuth authorization-code links in flight (state hashed, PKCE verifier sealed), bound to
  // the user and the session that started them, single use.
  await db.schema
    .createTable('oauth_link_states')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('connection_id', 'text', (c) =>
      c.notNull().references('connections.id').onDelete('cascade'),
    )
    .addColumn('code_verifier_sealed', 'text', (c) => c.notNull())
    .addColumn('return_to', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();

  // Every generated query (the audit event carries the same id); outcome reported once.
  await db.schema
    .createTable('queries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('connection_id', 'text', (c) =>
      c.notNull().references('connections.id').onDelete('cascade'),
    )
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('request', 'text', (c) => c.notNull()) // JSON: the canonical generated request
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('outcome_reported_at', 'text')
    .execute();
  await db.schema
    .createIndex('queries_user_created_idx')
    .on('queries')
    .columns(['user_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('saved_queries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('input', 'text', (c) => c.notNull()) // JSON: a POST /api/scim-query body
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('saved_queries_owner_name_unique', ['user_id', 'name'])
    .execute();
}
