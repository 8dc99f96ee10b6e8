/**
 * What the SCIM features need to know about a connection, in one shape. It is built from the
 * connections module's `getConnectionForUse` (which checks the caller's grant and opens the
 * client secret); keeping our own narrow view means the vault, discovery and the relay do not
 * depend on how connections are stored.
 */
export interface ProviderConnection {
  id: string;
  name: string;
  /** SCIM base URL without trailing slash, e.g. https://scim.example.com/scim/v2 */
  baseUrl: string;
  authKind: 'static' | 'oauth2' | 'login';
  executionMode: 'direct' | 'relay';
  vendor: string;
  allowPrivateNetwork: boolean;
  oauth: {
    issuer: string | null;
    authorizationEndpoint: string | null;
    tokenEndpoint: string | null;
    revocationEndpoint: string | null;
    clientId: string;
    clientSecret: string | null;
    scopes: string[];
  } | null;
  /** Changes whenever the connection is edited (cache key). */
  updatedAt: string;
}

export function trimBaseUrl(url: string): string {
  return url.replace(/\/+$/, '');
}
