/** Token vault tables (scim-features). Sealed columns hold lib/crypto seal() output only. */
export type CredentialKind = 'static' | 'oauth2' | 'login';
export type CredentialState = 'active' | 'revoked' | 'invalid';

export interface ScimCredentialsTable {
  id: string;
  user_id: string;
  connection_id: string;
  kind: CredentialKind;
  state: CredentialState;
  /** seal(…, { ownerId: user_id, connectionId: connection_id, purpose: 'token.access' }). */
  access_token_sealed: string;
  /** seal(…, { ownerId: user_id, connectionId: connection_id, purpose: 'token.refresh' }). */
  refresh_token_sealed: string | null;
  token_type: string;
  expires_at: string | null;
  /** JSON string[]. */
  scopes: string;
  subject_id: string | null;
  subject_user_name: string | null;
  fingerprint: string;
  token_version: number;
  message: string | null;
  last_refresh_at: string | null;
  last_verified_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface TokenRefreshLeasesTable {
  user_id: string;
  connection_id: string;
  holder: string;
  expires_at: string;
}

export interface OauthLinkStatesTable {
  /** SHA-256 (hex) of the state parameter. */
  state_hash: string;
  user_id: string;
  /** The session (its id hash, Actor.sessionId) that started the link. */
  session_id: string;
  connection_id: string;
  /** seal(…, { ownerId: user_id, connectionId, purpose: 'oauth.pkce_verifier' }). */
  code_verifier_sealed: string;
  return_to: string;
  redirect_uri: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface TokenVaultTables {
  scim_credentials: ScimCredentialsTable;
  token_refresh_leases: TokenRefreshLeasesTable;
  oauth_link_states: OauthLinkStatesTable;
}
