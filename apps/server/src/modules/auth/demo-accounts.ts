/**
 * Demo profile only: the accounts admin, operator, auditor and viewer (each with that role),
 * all with DEMO_PASSWORD. Created when missing; their password is reset to DEMO_PASSWORD at
 * every start so the printed password always works.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/tables.ts';
import { ROLES, type Role } from '../../lib/actor.ts';
import { findUserByUsername, insertUser } from '../users/users.repository.ts';
import { hashPassword, verifyPasswordOrDummy } from './password.ts';

export const DEMO_ACCOUNTS: ReadonlyArray<{ username: Role; displayName: string; role: Role }> =
  ROLES.map((role) => ({
    username: role,
    displayName: `Demo ${role}`,
    role,
  }));

export async function seedDemoAccounts(
  db: Kysely<Database>,
  password: string,
  now: Date,
): Promise<void> {
  await Promise.all(
    DEMO_ACCOUNTS.map(async (account) => {
      const existing = await findUserByUsername(db, account.username);
      if (!existing) {
        const passwordHash = await hashPassword(password);
        try {
          await insertUser(db, { ...account, authSource: 'local', passwordHash, now });
        } catch (error) {
          // Another replica created it at the same moment.
          if (!(await findUserByUsername(db, account.username))) throw error;
        }
        return;
      }
      if (
        existing.auth_source === 'local' &&
        !(await verifyPasswordOrDummy(existing.password_hash, password))
      ) {
        await db
          .updateTable('users')
          .set({ password_hash: await hashPassword(password), updated_at: now.toISOString() })
          .where('id', '=', existing.id)
          .execute();
      }
    }),
  );
}
