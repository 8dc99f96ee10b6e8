/**
 * Server-side sessions. The cookie carries a 256-bit random id; the database keeps only its
 * SHA-256, so reading the sessions table does not let anyone impersonate a user.
 * Idle timeout: last_seen_at + SESSION_IDLE_MINUTES. Absolute: expires_at (set at login).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from '../../config.ts';
import type { Database } from '../../db/tables.ts';
import type { UsersTable } from './auth.tables.ts';

export const SESSION_COOKIE = 'scim_console_session';

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Constant-time string comparison (hashes first so lengths do not leak). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(
    createHash('sha256').update(a).digest(),
    createHash('sha256').update(b).digest(),
  );
}

/**
 * The CSRF token of a session: derived from the session id (which only the browser holds, in
 * an HttpOnly cookie), so it is not stored; the row keeps SHA-256 of it for the check.
 * Neither the token nor the session id can be computed from what the database holds.
 */
export function csrfTokenFor(sessionId: string): string {
  return createHash('sha256').update(`scim-console csrf\n${sessionId}`).digest('base64url');
}

export interface NewSession {
  sessionId: string;
  idHash: string;
  csrfToken: string;
  expiresAt: Date;
}

export async function createSession(
  db: Kysely<Database>,
  config: Pick<Config, 'session'>,
  input: { userId: string; authSource: 'local' | 'oidc'; ip: string; userAgent: string; now: Date },
): Promise<NewSession> {
  const sessionId = randomToken(32);
  const idHash = sha256Hex(sessionId);
  const csrfToken = csrfTokenFor(sessionId);
  const expiresAt = new Date(input.now.getTime() + config.session.absoluteHours * 3_600_000);
  await db
    .insertInto('sessions')
    .values({
      id_hash: idHash,
      user_id: input.userId,
      csrf_token: sha256Hex(csrfToken),
      auth_source: input.authSource,
      created_at: input.now.toISOString(),
      last_seen_at: input.now.toISOString(),
      expires_at: expiresAt.toISOString(),
      ip: input.ip.slice(0, 64),
      user_agent: input.userAgent.slice(0, 512),
    })
    .execute();
  // Housekeeping: drop this user's sessions that have passed their absolute expiry.
  await db
    .deleteFrom('sessions')
    .where('user_id', '=', input.userId)
    .where('expires_at', '<', input.now.toISOString())
    .execute();
  return { sessionId, idHash, csrfToken, expiresAt };
}

export type SessionLookup =
  | { state: 'none' }
  | { state: 'expired' }
  | {
      state: 'active';
      idHash: string;
      csrfToken: string;
      /** SHA-256 (hex) of csrfToken as stored. */
      csrfHash: string;
      user: Pick<UsersTable, 'id' | 'username' | 'role' | 'disabled'>;
    };

export async function resolveSession(
  db: Kysely<Database>,
  config: Pick<Config, 'session'>,
  sessionId: string | undefined,
  now: Date,
): Promise<SessionLookup> {
  if (!sessionId) return { state: 'none' };
  if (sessionId.length > 128) return { state: 'expired' };
  const idHash = sha256Hex(sessionId);
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.id_hash',
      'sessions.csrf_token',
      'sessions.last_seen_at',
      'sessions.expires_at',
      'users.id',
      'users.username',
      'users.role',
      'users.disabled',
    ])
    .where('sessions.id_hash', '=', idHash)
    .executeTakeFirst();
  if (!row) return { state: 'expired' };
  const idleMs = config.session.idleMinutes * 60_000;
  const lastSeen = Date.parse(row.last_seen_at);
  if (
    Date.parse(row.expires_at) <= now.getTime() ||
    lastSeen + idleMs <= now.getTime() ||
    row.disabled
  ) {
    await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    return { state: 'expired' };
  }
  // Sliding idle window; written at most every min(60 s, idle/4) to spare the database.
  if (now.getTime() - lastSeen >= Math.min(60_000, idleMs / 4)) {
    await db
      .updateTable('sessions')
      .set({ last_seen_at: now.toISOString() })
      .where('id_hash', '=', idHash)
      .execute();
  }
  return {
    state: 'active',
    idHash,
    csrfToken: csrfTokenFor(sessionId),
    csrfHash: row.csrf_token,
    user: { id: row.id, username: row.username, role: row.role, disabled: row.disabled },
  };
}

export async function deleteSession(db: Kysely<Database>, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

export async function deleteUserSessions(db: Kysely<Database>, userId: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}
