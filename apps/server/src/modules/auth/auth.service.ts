/**
 * Local sign-in and sign-out. Every failure answers the same INVALID_CREDENTIALS after the
 * same argon2 work, whether the account is unknown, disabled, SSO-only or the password is wrong.
 */
import type { Kysely } from 'kysely';
import type { Config } from '../../config.ts';
import type { Database } from '../../db/tables.ts';
import type { Actor } from '../../lib/actor.ts';
import { AppError } from '../../lib/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { permissionsForRole } from '../rbac/policy.ts';
import { findUserByUsername, type UserRow } from '../users/users.repository.ts';
import {
  clearUserThrottle,
  recordLoginFailure,
  throttleKeys,
  throttleRetryAfter,
} from './login-throttle.service.ts';
import { verifyPasswordOrDummy } from './password.ts';
import { createSession, deleteSession, type NewSession } from './session.service.ts';

export interface AuthDeps {
  db: Kysely<Database>;
  config: Config;
  now: () => Date;
}

export interface RequestContext {
  ip: string;
  userAgent: string;
  requestId: string;
  /** Hash of the session the browser had before signing in (ended: no fixation). */
  previousSessionHash?: string | undefined;
}

export function actorFor(
  user: Pick<UserRow, 'id' | 'username' | 'role'>,
  sessionHash: string,
  ctx: RequestContext,
): Actor {
  return {
    userId: user.id,
    username: user.username,
    role: user.role,
    permissions: permissionsForRole(user.role),
    sessionId: sessionHash,
    ip: ctx.ip,
    userAgent: ctx.userAgent,
    requestId: ctx.requestId,
  };
}

/** Ends any previous session and opens a fresh one (new id: session fixation is impossible). */
export async function openSession(
  deps: AuthDeps,
  user: UserRow,
  method: 'local' | 'oidc',
  ctx: RequestContext,
): Promise<{ session: NewSession; actor: Actor }> {
  const now = deps.now();
  if (ctx.previousSessionHash) await deleteSession(deps.db, ctx.previousSessionHash);
  const session = await createSession(deps.db, deps.config, {
    userId: user.id,
    authSource: method,
    ip: ctx.ip,
    userAgent: ctx.userAgent,
    now,
  });
  const actor = actorFor(user, session.idHash, ctx);
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({ last_login_at: now.toISOString() })
      .where('id', '=', user.id)
      .execute();
    await recordAudit(trx, {
      action: 'auth.login',
      actor,
      outcome: { status: 200 },
      details: { method },
    });
  });
  return { session, actor };
}

export async function loginLocal(
  deps: AuthDeps,
  input: { username: string; password: string },
  ctx: RequestContext,
): Promise<{ user: UserRow; session: NewSession }> {
  const username = input.username.trim().toLowerCase();
  const keys = throttleKeys(username, ctx.ip);
  const retryAfter = await throttleRetryAfter(deps.db, keys, deps.now());
  if (retryAfter > 0) {
    throw new AppError('RATE_LIMITED', 'Too many failed sign-in attempts. Try again later.', {
      retryAfter,
    });
  }
  const user = await findUserByUsername(deps.db, username);
  const usable = user && user.auth_source === 'local' && user.disabled === 0 ? user : undefined;
  // Always hash: a missing account costs the same time as a wrong password.
  const ok = await verifyPasswordOrDummy(usable ? usable.password_hash : null, input.password);
  if (!ok || !usable) {
    await recordLoginFailure(deps.db, keys, deps.now());
    await recordAudit(deps.db, {
      action: 'auth.login_failed',
      actor: null,
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      requestId: ctx.requestId,
      outcome: {
        status: 401,
        error: { code: 'INVALID_CREDENTIALS', message: 'Wrong username or password.' },
      },
      // The tried name is recorded only when such an account exists (people type passwords into
      // the username field; those must not land in the trail).
      details: {
        method: 'local',
        ...(user ? { username: user.username } : {}),
        reason: user ? (usable ? 'password' : 'account-unusable') : 'unknown-user',
      },
    });
    throw new AppError('INVALID_CREDENTIALS', 'Wrong username or password.');
  }
  await clearUserThrottle(deps.db, keys);
  const { session } = await openSession(deps, usable, 'local', ctx);
  return { user: usable, session };
}

export async function logout(deps: AuthDeps, actor: Actor): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('sessions').where('id_hash', '=', actor.sessionId).execute();
    await recordAudit(trx, {
      action: 'auth.logout',
      actor,
      outcome: { status: 204 },
      details: { reason: 'user' },
    });
  });
}
