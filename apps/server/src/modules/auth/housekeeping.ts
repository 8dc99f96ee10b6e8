/**
 * Periodic cleanup of rows that only expire by time: sessions past their absolute or idle
 * limit (abandoned without logout), spent login-throttle counters, and unfinished OIDC
 * sign-ins. Correctness never depends on it (every read checks expiry); it keeps tables small.
 * Safe on several replicas at once (plain deletes by time).
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config } from '../../config.ts';
import type { Database } from '../../db/tables.ts';
import { pruneThrottle } from './login-throttle.service.ts';

export const HOUSEKEEPING_INTERVAL_MS = 5 * 60_000;

export async function runHousekeeping(
  db: Kysely<Database>,
  config: Pick<Config, 'session'>,
  now: Date,
): Promise<void> {
  const nowIso = now.toISOString();
  const idleCutoff = new Date(now.getTime() - config.session.idleMinutes * 60_000).toISOString();
  await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', nowIso), eb('last_seen_at', '<=', idleCutoff)]))
    .execute();
  await pruneThrottle(db, now);
  await db.deleteFrom('oidc_login_states').where('expires_at', '<=', nowIso).execute();
}

export function startHousekeeping(app: FastifyInstance): void {
  const timer = setInterval(() => {
    runHousekeeping(app.db, app.config, app.now()).catch((error: unknown) =>
      app.log.warn({ err: error }, 'housekeeping failed'),
    );
  }, HOUSEKEEPING_INTERVAL_MS);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}
