/**
 * Who is making a request. Services take one `actor` first; the session plugin sets
 * `request.actor` (undefined when anonymous).
 */

export const ROLES = ['viewer', 'operator', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'query:run',
  'query:free-filter',
  'token:own',
  'history:own',
  'audit:read-all',
  'admin:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export interface Actor {
  userId: string;
  username: string;
  role: Role;
  permissions: ReadonlySet<Permission>;
  sessionId: string;
  ip: string;
  userAgent: string;
  requestId: string;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
