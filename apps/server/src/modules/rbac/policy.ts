/**
 * The role table of DESIGN.md §4 as data, and the one place permissions are decided.
 * Routes declare `config: { permission }`; the permission hook (rbac.hook.ts) enforces it.
 */
import type { Actor, Permission, Role } from '../../lib/actor.ts';

const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = Object.freeze({
  // viewer: presets only (no free filters) on granted connections
  viewer: ['query:run', 'token:own', 'history:own'],
  operator: ['query:run', 'query:free-filter', 'token:own', 'history:own'],
  // auditor: reads everyone's trail but runs no queries
  auditor: ['token:own', 'history:own', 'audit:read-all'],
  admin: [
    'query:run',
    'query:free-filter',
    'token:own',
    'history:own',
    'audit:read-all',
    'admin:manage',
  ],
});

const CACHE = new Map<Role, ReadonlySet<Permission>>(
  (Object.keys(ROLE_PERMISSIONS) as Role[]).map((role) => [
    role,
    Object.freeze(new Set(ROLE_PERMISSIONS[role])),
  ]),
);

export function permissionsForRole(role: Role): ReadonlySet<Permission> {
  const permissions = CACHE.get(role);
  if (!permissions) throw new Error(`Unknown role: ${String(role)}`);
  return permissions;
}

export function can(
  actor: Pick<Actor, 'permissions'> | null | undefined,
  permission: Permission,
): boolean {
  return actor?.permissions.has(permission) ?? false;
}

/** What a route declares in `config.permission`. */
export type RouteAccess = Permission | 'public' | 'authenticated';

export function isRouteAccess(value: unknown): value is RouteAccess {
  return (
    value === 'public' ||
    value === 'authenticated' ||
    (typeof value === 'string' &&
      Object.values(ROLE_PERMISSIONS).some((list) => list.includes(value as Permission)))
  );
}
