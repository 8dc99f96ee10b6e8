/** Connections table (audit-crypto). */
export interface ConnectionsTable {
  id: string;
  name: string;
  base_url: string;
  auth_kind: 'static' | 'oauth2' | 'login';
  execution_mode: 'direct' | 'relay';
  vendor: string;
  /** 0/1. */
  allow_private_network: number;
  oauth_issuer: string | null;
  oauth_authorization_endpoint: string | null;
  oauth_token_endpoint: string | null;
  oauth_revocation_endpoint: string | null;
  oauth_client_id: string | null;
  /** seal(keyRing, secret, { ownerId: 'connection', connectionId: id, purpose: 'connection.client_secret' }). */
  oauth_client_secret_sealed: string | null;
  /** JSON string[]. */
  oauth_scopes: string | null;
  /** JSON Role[]. */
  grant_roles: string;
  /** JSON string[]. */
  grant_user_ids: string;
  /** Set for connections created by seedDemoConnections (their idempotency key). */
  seed_key: string | null;
  created_at: string;
  updated_at: string;
  created_by: string | null;
  updated_by: string | null;
}

export interface ConnectionTables {
  connections: ConnectionsTable;
}
