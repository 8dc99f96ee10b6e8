/**
 * Users and roles (admin). Each change and its audit event commit together. Guards: usernames
 * are unique; the last active admin can be neither demoted, disabled nor deleted; nobody
 * deletes their own account. Disabling a user or changing their password ends their sessions.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/tables.ts';
import type { Actor, Role } from '../../lib/actor.ts';
import { AppError } from '../../lib/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { hashPassword } from '../auth/password.ts';
import {
  countActiveAdmins,
  findUserById,
  findUserByUsername,
  insertUser,
  listUsers,
  toUserDto,
  updateUser,
  type UserRow,
} from './users.repository.ts';
import type { UserDto } from './users.schemas.ts';

export interface UsersDeps {
  db: Kysely<Database>;
  now: () => Date;
}

export async function listAllUsers(deps: UsersDeps, _actor: Actor): Promise<UserDto[]> {
  return (await listUsers(deps.db)).map(toUserDto);
}

export async function createUser(
  deps: UsersDeps,
  actor: Actor,
  input: {
    username: string;
    displayName?: string | undefined;
    role: Role;
    password?: string | undefined;
  },
): Promise<UserDto> {
  if (await findUserByUsername(deps.db, input.username)) {
    throw new AppError('CONFLICT', `A user named "${input.username}" already exists.`, {
      field: 'body.username',
    });
  }
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  const row = await deps.db
    .transaction()
    .execute(async (trx) => {
      const created = await insertUser(trx, {
        username: input.username,
        displayName: input.displayName ?? input.username,
        role: input.role,
        authSource: 'local',
        passwordHash,
        now: deps.now(),
      });
      await recordAudit(trx, {
        action: 'user.created',
        actor,
        outcome: { status: 201 },
        details: { userId: created.id, username: created.username, role: created.role },
      });
      return created;
    })
    .catch(async (error: unknown) => {
      // Two admins creating the same name at once: the unique index decides.
      if (await findUserByUsername(deps.db, input.username)) {
        throw new AppError('CONFLICT', `A user named "${input.username}" already exists.`, {
          field: 'body.username',
        });
      }
      throw error;
    });
  return toUserDto(row);
}

async function requireUser(deps: UsersDeps, id: string): Promise<UserRow> {
  const user = await findUserById(deps.db, id);
  if (!user) throw new AppError('NOT_FOUND', 'No such user.');
  return user;
}

export async function patchUser(
  deps: UsersDeps,
  actor: Actor,
  id: string,
  input: {
    displayName?: string | undefined;
    role?: Role | undefined;
    password?: string | undefined;
    disabled?: boolean | undefined;
  },
): Promise<UserDto> {
  const user = await requireUser(deps, id);
  const losesAdmin =
    user.role === 'admin' &&
    user.disabled === 0 &&
    ((input.role !== undefined && input.role !== 'admin') || input.disabled === true);
  if (losesAdmin && (await countActiveAdmins(deps.db, user.id)) === 0) {
    throw new AppError('CONFLICT', 'This is the last active admin; make another admin first.', {
      field: input.disabled === true ? 'body.disabled' : 'body.role',
    });
  }
  if (input.password !== undefined && user.auth_source !== 'local') {
    throw new AppError('VALIDATION_FAILED', 'Single sign-on users have no password here.', {
      field: 'body.password',
    });
  }
  const patch: Partial<UserRow> = {};
  const changed: string[] = [];
  if (input.displayName !== undefined && input.displayName !== user.display_name) {
    patch.display_name = input.displayName;
    changed.push('displayName');
  }
  if (input.role !== undefined && input.role !== user.role) {
    patch.role = input.role;
    changed.push('role');
  }
  if (input.disabled !== undefined && (input.disabled ? 1 : 0) !== user.disabled) {
    patch.disabled = input.disabled ? 1 : 0;
    changed.push('disabled');
  }
  if (input.password !== undefined) {
    patch.password_hash = await hashPassword(input.password);
    changed.push('password');
  }
  if (changed.length > 0) {
    patch.updated_at = deps.now().toISOString();
    await deps.db.transaction().execute(async (trx) => {
      await updateUser(trx, user.id, patch);
      if (patch.disabled === 1 || patch.password_hash !== undefined) {
        // Keep the admin's own session when they change their own password.
        let end = trx.deleteFrom('sessions').where('user_id', '=', user.id);
        if (user.id === actor.userId) end = end.where('id_hash', '!=', actor.sessionId);
        await end.execute();
      }
      await recordAudit(trx, {
        action: 'user.updated',
        actor,
        outcome: { status: 200 },
        details: {
          userId: user.id,
          username: user.username,
          changed,
          ...(patch.role ? { role: patch.role } : {}),
        },
      });
    });
  }
  return toUserDto(await requireUser(deps, id));
}

export async function deleteUser(deps: UsersDeps, actor: Actor, id: string): Promise<void> {
  const user = await requireUser(deps, id);
  if (user.id === actor.userId)
    throw new AppError('CONFLICT', 'You cannot delete your own account.');
  if (
    user.role === 'admin' &&
    user.disabled === 0 &&
    (await countActiveAdmins(deps.db, user.id)) === 0
  ) {
    throw new AppError('CONFLICT', 'This is the last active admin; make another admin first.');
  }
  await deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('users').where('id', '=', user.id).execute();
    await recordAudit(trx, {
      action: 'user.deleted',
      actor,
      outcome: { status: 204 },
      details: { userId: user.id, username: user.username },
    });
  });
}
