/**
 * npm run create-admin -w @scim-console/server -- <username>
 *
 * Bootstraps a production deployment (no demo accounts): creates the local admin <username>,
 * or — if it exists — resets its password, makes it an active admin and ends its sessions.
 * The password is generated (24 random characters), printed once, and never logged or stored
 * in plaintext. Writes a `user.created` / `user.updated` audit event (actor: system).
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { createDatabase, type DatabaseHandle } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { recordAudit } from '../modules/audit/audit.service.ts';
import { hashPassword } from '../modules/auth/password.ts';
import { findUserByUsername, insertUser } from '../modules/users/users.repository.ts';
import { usernameSchema } from '../modules/users/users.schemas.ts';

export async function createAdmin(
  config: Config,
  rawUsername: string,
  options: { database?: DatabaseHandle; now?: () => Date } = {},
): Promise<{ username: string; password: string; created: boolean }> {
  const parsed = usernameSchema.safeParse(rawUsername);
  if (!parsed.success)
    throw new Error(`username ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
  const username = parsed.data;
  const now = (options.now ?? (() => new Date()))();
  const password = randomBytes(18).toString('base64url');
  const passwordHash = await hashPassword(password);
  const handle = options.database ?? createDatabase(config.database);
  try {
    await migrateToLatest(handle.db, handle.dialect);
    const existing = await findUserByUsername(handle.db, username);
    if (existing && existing.auth_source !== 'local')
      throw new Error(`"${username}" is a single sign-on account; choose another name`);
    await handle.db.transaction().execute(async (trx) => {
      if (existing) {
        await trx
          .updateTable('users')
          .set({
            password_hash: passwordHash,
            role: 'admin',
            disabled: 0,
            updated_at: now.toISOString(),
          })
          .where('id', '=', existing.id)
          .execute();
        await trx.deleteFrom('sessions').where('user_id', '=', existing.id).execute();
        await recordAudit(trx, {
          action: 'user.updated',
          actor: null,
          outcome: { status: 200 },
          details: {
            userId: existing.id,
            username,
            changed: ['password', 'role', 'disabled'],
            role: 'admin',
          },
        });
      } else {
        const row = await insertUser(trx, {
          username,
          displayName: username,
          role: 'admin',
          authSource: 'local',
          passwordHash,
          now,
        });
        await recordAudit(trx, {
          action: 'user.created',
          actor: null,
          outcome: { status: 201 },
          details: { userId: row.id, username, role: 'admin' },
        });
      }
    });
    return { username, password, created: !existing };
  } finally {
    if (!options.database) await handle.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const username = process.argv[2];
  if (!username) {
    process.stderr.write('usage: npm run create-admin -w @scim-console/server -- <username>\n');
    process.exit(2);
  }
  try {
    const config = loadConfig();
    const result = await createAdmin(config, username);
    process.stdout.write(
      `${result.created ? 'Created' : 'Reset'} admin "${result.username}". Password (shown once): ${result.password}\n`,
    );
  } catch (error) {
    process.stderr.write(
      `create-admin: ${error instanceof ConfigError ? error.message : (error as Error).message}\n`,
    );
    process.exit(1);
  }
}
