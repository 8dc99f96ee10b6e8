// Values of the console HTTP API (docs/api.md) that the server and the web app must agree on.
// One copy here, imported by both, so a new audit action cannot reach one side only.

/** The closed set of audit actions (docs/api.md, "Audit trail"). */
export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'token.linked',
  'token.refreshed',
  'token.refresh_failed',
  'token.unlinked',
  'query.generated',
  'query.outcome',
  'relay.request',
  'permission.denied',
  'connection.created',
  'connection.updated',
  'connection.deleted',
  'user.created',
  'user.updated',
  'user.deleted',
  'settings.updated',
  'keys.rotated',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
