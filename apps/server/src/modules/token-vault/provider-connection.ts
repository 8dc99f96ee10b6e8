import type { ConnectionForUse } from '../connections/connections.service.ts';

/**
 * What the SCIM features need to know about a connection: the connections module's
 * `getConnectionForUse` view (grant checked, client secret opened) without the grants, so the
 * vault, discovery and the relay depend on that port only, not on how connections are stored.
 * `baseUrl` has no trailing slash; `updatedAt` changes on every edit (a cache key).
 */
export type ProviderConnection = Omit<ConnectionForUse, 'grants'>;

export function trimBaseUrl(url: string): string {
  return url.replace(/\/+$/, '');
}
