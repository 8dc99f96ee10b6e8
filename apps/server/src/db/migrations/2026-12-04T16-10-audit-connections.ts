/**
 * Audit trail and connections (audit-crypto).
 * FROZEN — do not edit after it has shipped; add a new migration instead.
 * Portable DDL: text ids, ISO-8601 UTC text timestamps, booleans as integer 0/1, JSON as text.
 */
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- frozen migration, no app types
export async function up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  // seq is assigned by the writer (last seq + 1 under the append lock), not by a sequence:
  // a PostgreSQL sequence skips numbers on rollback, and verification treats gaps as deletions.
  await db.schema
    .createTable('audit_events')
    .addColumn('seq', dialect === 'postgres' ? 'bigint' : 'integer', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull()) // 'success' | 'failure' (derived, for filtering)
    .addColumn('actor_id', 'text')
    .addColumn('actor_username', 'text')
    .addColumn('token_fingerprint', 'text')
    .addColumn('token_version', 'integer')
    .addColumn('connection_id', 'text')
    .addColumn('query_id', 'text')
    .addColumn('request_method', 'text')
    .addColumn('request_path', 'text')
    .addColumn('request_params', 'text') // JSON object
    .addColumn('request_filter', 'text')
    .addColumn('outcome_status', 'integer')
    .addColumn('outcome_result_count', 'integer')
    .addColumn('outcome_duration_ms', 'integer')
    .addColumn('outcome_error', 'text') // JSON { code, message }
    .addColumn('details', 'text') // JSON, per-action typed metadata
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('request_id', 'text')
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  // Listing is always "newest first, keyset on seq", so every filter index ends in seq:
  // the planner walks one index range backwards and stops after `limit` rows.
  await db.schema
    .createIndex('audit_events_actor_seq_idx')
    .on('audit_events')
    .columns(['actor_id', 'seq'])
    .execute();
  await db.schema
    .createIndex('audit_events_connection_seq_idx')
    .on('audit_events')
    .columns(['connection_id', 'seq'])
    .execute();
  await db.schema
    .createIndex('audit_events_action_seq_idx')
    .on('audit_events')
    .columns(['action', 'seq'])
    .execute();
  await db.schema.createIndex('audit_events_at_idx').on('audit_events').column('at').execute();
  await db.schema
    .createIndex('audit_events_query_id_idx')
    .on('audit_events')
    .column('query_id')
    .execute();

  // Word index for the `q` text search (username, path, filter): lower-cased words, prefix-matched
  // with a range scan on (term, seq), which works identically on both databases and never scans
  // the event table. Derived data, outside the hash chain.
  await db.schema
    .createTable('audit_terms')
    // Byte-order collation so that the prefix range [word, word + U+10FFFF) holds exactly the
    // terms starting with word (SQLite's default BINARY collation already behaves so).
    .addColumn('term', dialect === 'postgres' ? sql`text collate "C"` : 'text', (c) => c.notNull())
    .addColumn('seq', dialect === 'postgres' ? 'bigint' : 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_terms_pk', ['term', 'seq'])
    .execute();
  // For the other plan: walk events newest first and probe "does this event have the word".
  await db.schema
    .createIndex('audit_terms_seq_idx')
    .on('audit_terms')
    .columns(['seq', 'term'])
    .execute();

  // Append-only, enforced by the database as well as by the absence of any update/delete code.
  if (dialect === 'postgres') {
    await sql`
      create or replace function audit_events_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_events is append-only (% refused)', tg_op using errcode = '42501';
      end
      $$`.execute(db);
    await sql`create trigger audit_events_no_update_delete before update or delete on audit_events
      for each row execute function audit_events_append_only()`.execute(db);
    await sql`create trigger audit_events_no_truncate before truncate on audit_events
      for each statement execute function audit_events_append_only()`.execute(db);
  } else {
    await sql`create trigger audit_events_no_update before update on audit_events
      begin select raise(abort, 'audit_events is append-only (UPDATE refused)'); end`.execute(db);
    await sql`create trigger audit_events_no_delete before delete on audit_events
      begin select raise(abort, 'audit_events is append-only (DELETE refused)'); end`.execute(db);
  }

  await db.schema
    .createTable('connections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('base_url', 'text', (c) => c.notNull())
    .addColumn('auth_kind', 'text', (c) => c.notNull())
    .addColumn('execution_mode', 'text', (c) => c.notNull())
    .addColumn('vendor', 'text', (c) => c.notNull())
    .addColumn('allow_private_network', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('oauth_issuer', 'text')
    .addColumn('oauth_authorization_endpoint', 'text')
    .addColumn('oauth_token_endpoint', 'text')
    .addColumn('oauth_revocation_endpoint', 'text')
    .addColumn('oauth_client_id', 'text')
    .addColumn('oauth_client_secret_sealed', 'text') // lib/crypto seal(), never plaintext
    .addColumn('oauth_scopes', 'text') // JSON string[]
    .addColumn('grant_roles', 'text', (c) => c.notNull()) // JSON Role[]
    .addColumn('grant_user_ids', 'text', (c) => c.notNull()) // JSON string[]
    .addColumn('seed_key', 'text', (c) => c.unique()) // demo seeding identity (idempotent upsert), else null
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('updated_by', 'text')
    .execute();
}
