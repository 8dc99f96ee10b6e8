/** Kysely access to the users table, and the row → `User` mapping. */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Role } from '../../lib/actor.ts';
import type { Database } from '../../db/tables.ts';
import type { UsersTable } from '../auth/auth.tables.ts';
import { permissionsForRole } from '../rbac/policy.ts';
import type { UserDto } from './users.schemas.ts';

export type Db = Kysely<Database> | Transaction<Database>;
export type UserRow = UsersTable;

export function toUserDto(row: UserRow): UserDto {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    permissions: [...permissionsForRole(row.role)],
    authSource: row.auth_source,
    preferences: { theme: row.theme },
    disabled: row.disabled === 1,
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
  };
}

export function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findUserByUsername(db: Db, username: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('username', '=', username.toLowerCase())
    .executeTakeFirst();
}

export function findUserByOidcIdentity(
  db: Db,
  issuer: string,
  subject: string,
): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('oidc_issuer', '=', issuer)
    .where('oidc_subject', '=', subject)
    .executeTakeFirst();
}

export function listUsers(db: Db): Promise<UserRow[]> {
  return db.selectFrom('users').selectAll().orderBy('username').execute();
}

export async function insertUser(
  db: Db,
  input: {
    username: string;
    displayName: string;
    role: Role;
    authSource: 'local' | 'oidc';
    passwordHash: string | null;
    oidcIssuer?: string | null;
    oidcSubject?: string | null;
    now: Date;
  },
): Promise<UserRow> {
  const row: UserRow = {
    id: randomUUID(),
    username: input.username.toLowerCase(),
    display_name: input.displayName,
    role: input.role,
    auth_source: input.authSource,
    password_hash: input.passwordHash,
    oidc_issuer: input.oidcIssuer ?? null,
    oidc_subject: input.oidcSubject ?? null,
    disabled: 0,
    theme: 'system',
    created_at: input.now.toISOString(),
    updated_at: input.now.toISOString(),
    last_login_at: null,
  };
  await db.insertInto('users').values(row).execute();
  return row;
}

export async function updateUser(
  db: Db,
  id: string,
  patch: Partial<Omit<UserRow, 'id' | 'created_at'>>,
): Promise<void> {
  if (Object.keys(patch).length === 0) return;
  await db.updateTable('users').set(patch).where('id', '=', id).execute();
}

export async function countActiveAdmins(db: Db, exceptUserId?: string): Promise<number> {
  let query = db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('role', '=', 'admin')
    .where('disabled', '=', 0);
  if (exceptUserId) query = query.where('id', '!=', exceptUserId);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}
