import { randomUUID } from 'node:crypto';
import {
  ENTERPRISE_SCHEMA,
  GROUP_SCHEMA,
  USER_SCHEMA,
  weakEtag,
  type GroupRef,
  type MemberRef,
  type ResourceTypeName,
  type ScimGroup,
  type ScimResource,
  type ScimUser,
} from './resources.ts';
import { ScimHttpError } from './scim-error.ts';
import type { Directory } from '../seed/directory.seed.ts';

/**
 * In-memory directory: the single source of truth for Users and Groups. Keeps the derived
 * data (user → groups, lowercase userName index) consistent on every write, and bumps
 * `revision` so list caches (sort orders) know when to rebuild.
 */
export class DirectoryStore {
  readonly #users = new Map<string, ScimUser>();
  readonly #groups = new Map<string, ScimGroup>();
  readonly #userNames = new Map<string, string>();
  /** Insertion sequence per id: the stable "natural" order that un-sorted paging follows. */
  readonly #seq = new Map<string, number>();
  #nextSeq = 0;
  #revision = 0;
  #userList: ScimUser[] | undefined;
  #groupList: ScimGroup[] | undefined;

  constructor(directory: Directory) {
    for (const user of directory.users) {
      this.#users.set(user.id, user);
      this.#seq.set(user.id, this.#nextSeq++);
      this.#userNames.set(user.userName.toLowerCase(), user.id);
    }
    for (const group of directory.groups) {
      this.#groups.set(group.id, group);
      this.#seq.set(group.id, this.#nextSeq++);
    }
    this.#rebuildUserGroups([...this.#users.keys()]);
  }

  get revision(): number {
    return this.#revision;
  }

  users(): readonly ScimUser[] {
    this.#userList ??= [...this.#users.values()];
    return this.#userList;
  }

  groups(): readonly ScimGroup[] {
    this.#groupList ??= [...this.#groups.values()];
    return this.#groupList;
  }

  list(type: ResourceTypeName): readonly ScimResource[] {
    return type === 'User' ? this.users() : this.groups();
  }

  get(type: ResourceTypeName, id: string): ScimResource | undefined {
    return type === 'User' ? this.#users.get(id) : this.#groups.get(id);
  }

  seqOf(id: string): number {
    return this.#seq.get(id) ?? Number.MAX_SAFE_INTEGER;
  }

  userIdByUserName(userName: string): string | undefined {
    return this.#userNames.get(userName.toLowerCase());
  }

  #touch(): void {
    this.#revision++;
    this.#userList = undefined;
    this.#groupList = undefined;
  }

  /** Create (no id) or replace (id) a user from a validated SCIM body. */
  putUser(id: string | undefined, body: Record<string, unknown>): ScimUser {
    const existing = id ? this.#users.get(id) : undefined;
    if (id && !existing) throw new ScimHttpError(404, undefined, `Resource ${id} not found`);
    const userName = body.userName;
    if (typeof userName !== 'string' || !userName.trim()) {
      throw new ScimHttpError(400, 'invalidValue', 'Required attribute userName is missing');
    }
    const holder = this.#userNames.get(userName.toLowerCase());
    if (holder && holder !== id) {
      throw new ScimHttpError(
        409,
        'uniqueness',
        `A user with userName "${userName}" already exists`,
      );
    }
    const now = new Date().toISOString();
    const newId = existing?.id ?? randomUUID();
    const {
      id: _ignoredId,
      meta: _ignoredMeta,
      groups: _ignoredGroups,
      schemas: _ignoredSchemas,
      ...rest
    } = body;
    const user: ScimUser = {
      ...(rest as Omit<ScimUser, 'id' | 'meta' | 'schemas'>),
      schemas: rest[ENTERPRISE_SCHEMA] ? [USER_SCHEMA, ENTERPRISE_SCHEMA] : [USER_SCHEMA],
      id: newId,
      userName,
      groups: existing?.groups ?? [],
      meta: {
        resourceType: 'User',
        created: existing?.meta.created ?? now,
        lastModified: now,
        version: weakEtag(`${newId}|${now}|${this.#revision}|${JSON.stringify(rest)}`),
      },
    };
    if (existing) this.#userNames.delete(existing.userName.toLowerCase());
    this.#userNames.set(userName.toLowerCase(), newId);
    this.#users.set(newId, user);
    if (!this.#seq.has(newId)) this.#seq.set(newId, this.#nextSeq++);
    if (existing && existing.displayName !== user.displayName) this.#renameMember(newId, user);
    this.#touch();
    return user;
  }

  deleteUser(id: string): void {
    const user = this.#users.get(id);
    if (!user) throw new ScimHttpError(404, undefined, `Resource ${id} not found`);
    this.#users.delete(id);
    this.#userNames.delete(user.userName.toLowerCase());
    for (const group of this.#groups.values()) {
      if (group.members.some((m) => m.value === id)) {
        this.#groups.set(
          group.id,
          this.#bumpGroup({ ...group, members: group.members.filter((m) => m.value !== id) }),
        );
      }
    }
    this.#touch();
  }

  putGroup(id: string | undefined, body: Record<string, unknown>): ScimGroup {
    const existing = id ? this.#groups.get(id) : undefined;
    if (id && !existing) throw new ScimHttpError(404, undefined, `Resource ${id} not found`);
    const displayName = body.displayName;
    if (typeof displayName !== 'string' || !displayName.trim()) {
      throw new ScimHttpError(400, 'invalidValue', 'Required attribute displayName is missing');
    }
    const members: MemberRef[] = [];
    const rawMembers = Array.isArray(body.members)
      ? (body.members as Record<string, unknown>[])
      : [];
    for (const raw of rawMembers) {
      const value = typeof raw.value === 'string' ? raw.value : '';
      const user = this.#users.get(value);
      const group = this.#groups.get(value);
      if (!user && !group)
        throw new ScimHttpError(400, 'invalidValue', `Member "${value}" does not exist`);
      if (members.some((m) => m.value === value)) continue;
      members.push(
        user
          ? { value, display: user.displayName ?? user.userName, type: 'User' }
          : { value, display: (group as ScimGroup).displayName, type: 'Group' },
      );
    }
    const now = new Date().toISOString();
    const newId = existing?.id ?? randomUUID();
    const group: ScimGroup = {
      schemas: [GROUP_SCHEMA],
      id: newId,
      ...(typeof body.externalId === 'string' ? { externalId: body.externalId } : {}),
      displayName,
      members,
      meta: {
        resourceType: 'Group',
        created: existing?.meta.created ?? now,
        lastModified: now,
        version: weakEtag(`${newId}|${now}|${this.#revision}|${displayName}|${members.length}`),
      },
    };
    this.#groups.set(newId, group);
    if (!this.#seq.has(newId)) this.#seq.set(newId, this.#nextSeq++);
    const affected = new Set<string>(
      [...(existing?.members ?? []), ...members].map((m) => m.value),
    );
    this.#rebuildUserGroups([...affected]);
    this.#touch();
    return group;
  }

  deleteGroup(id: string): void {
    const group = this.#groups.get(id);
    if (!group) throw new ScimHttpError(404, undefined, `Resource ${id} not found`);
    this.#groups.delete(id);
    this.#rebuildUserGroups(group.members.map((m) => m.value));
    this.#touch();
  }

  #bumpGroup(group: ScimGroup): ScimGroup {
    const now = new Date().toISOString();
    return {
      ...group,
      meta: {
        ...group.meta,
        lastModified: now,
        version: weakEtag(`${group.id}|${now}|${this.#revision}|${group.members.length}`),
      },
    };
  }

  #renameMember(id: string, user: ScimUser): void {
    for (const group of this.#groups.values()) {
      const index = group.members.findIndex((m) => m.value === id);
      if (index >= 0) {
        const members = group.members.slice();
        members[index] = { value: id, display: user.displayName ?? user.userName, type: 'User' };
        this.#groups.set(group.id, this.#bumpGroup({ ...group, members }));
      }
    }
  }

  /** `User.groups` is read-only and derived from group membership (RFC 7643 §4.1.2). */
  #rebuildUserGroups(userIds: string[]): void {
    const refs = new Map<string, GroupRef[]>();
    for (const id of userIds) if (this.#users.has(id)) refs.set(id, []);
    if (refs.size === 0) return;
    for (const group of this.#groups.values()) {
      // One reference object per group, shared by all its members (never mutated).
      let ref: GroupRef | undefined;
      for (const m of group.members) {
        const list = refs.get(m.value);
        if (!list) continue;
        ref ??= Object.freeze({
          value: group.id,
          display: group.displayName,
          type: 'direct' as const,
        });
        list.push(ref);
      }
    }
    for (const [id, groups] of refs) (this.#users.get(id) as ScimUser).groups = groups;
  }
}
