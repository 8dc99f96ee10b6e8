/**
 * Failed-login throttling stored in the database, so every replica sees the same counters.
 * Two keys per attempt: the username+IP pair (slows guessing one account) and the IP alone
 * (slows spraying many accounts). Keys hash the username, so the table lists no names, and
 * a locked key answers the same 429 whether or not the account exists.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/tables.ts';
import { sha256Hex } from './session.service.ts';

export const THROTTLE_POLICY = Object.freeze({
  windowMs: 15 * 60_000,
  /** Failures of one username from one IP within the window before a lock. */
  maxPerUserIp: 5,
  /** Failures from one IP (any usernames) within the window before a lock. */
  maxPerIp: 50,
  lockMs: 15 * 60_000,
});

export function throttleKeys(username: string, ip: string): { userIp: string; ip: string } {
  return { userIp: `user:${sha256Hex(`${username.toLowerCase()}\n${ip}`)}`, ip: `ip:${ip}` };
}

/** Seconds until the caller may try again, or 0 when neither key is locked. */
export async function throttleRetryAfter(
  db: Kysely<Database>,
  keys: { userIp: string; ip: string },
  now: Date,
): Promise<number> {
  const rows = await db
    .selectFrom('login_throttle')
    .select(['locked_until'])
    .where('key', 'in', [keys.userIp, keys.ip])
    .where('locked_until', '>', now.toISOString())
    .execute();
  let until = 0;
  for (const row of rows)
    if (row.locked_until) until = Math.max(until, Date.parse(row.locked_until));
  return until > 0 ? Math.max(1, Math.ceil((until - now.getTime()) / 1000)) : 0;
}

async function bump(db: Kysely<Database>, key: string, max: number, now: Date): Promise<void> {
  const nowIso = now.toISOString();
  const windowStart = new Date(now.getTime() - THROTTLE_POLICY.windowMs).toISOString();
  // One atomic upsert: a fresh window restarts the count, otherwise it is incremented.
  await db
    .insertInto('login_throttle')
    .values({ key, failures: 1, window_started_at: nowIso, locked_until: null, updated_at: nowIso })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        failures: sql<number>`case when login_throttle.window_started_at < ${windowStart} then 1 else login_throttle.failures + 1 end`,
        window_started_at: sql<string>`case when login_throttle.window_started_at < ${windowStart} then ${nowIso} else login_throttle.window_started_at end`,
        updated_at: nowIso,
      }),
    )
    .execute();
  await db
    .updateTable('login_throttle')
    .set({ locked_until: new Date(now.getTime() + THROTTLE_POLICY.lockMs).toISOString() })
    .where('key', '=', key)
    .where('failures', '>=', max)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', nowIso)]))
    .execute();
}

export async function recordLoginFailure(
  db: Kysely<Database>,
  keys: { userIp: string; ip: string },
  now: Date,
): Promise<void> {
  await bump(db, keys.userIp, THROTTLE_POLICY.maxPerUserIp, now);
  await bump(db, keys.ip, THROTTLE_POLICY.maxPerIp, now);
}

/** A successful login clears its username+IP counter (the IP counter keeps counting). */
export async function clearUserThrottle(
  db: Kysely<Database>,
  keys: { userIp: string },
): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', '=', keys.userIp).execute();
}

/** Housekeeping: rows whose window and lock have both passed carry no information. */
export async function pruneThrottle(db: Kysely<Database>, now: Date): Promise<void> {
  const windowStart = new Date(now.getTime() - THROTTLE_POLICY.windowMs).toISOString();
  await db
    .deleteFrom('login_throttle')
    .where('window_started_at', '<', windowStart)
    .where((eb) =>
      eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now.toISOString())]),
    )
    .execute();
}
