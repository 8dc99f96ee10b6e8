/** Audit trail tables (audit-crypto). See audit.hash.ts for what the chain covers. */

export interface AuditEventsTable {
  /** bigint on PostgreSQL (read back as a string by pg; the repository converts). */
  seq: number | string;
  at: string;
  action: string;
  outcome: 'success' | 'failure';
  actor_id: string | null;
  actor_username: string | null;
  token_fingerprint: string | null;
  token_version: number | null;
  connection_id: string | null;
  query_id: string | null;
  request_method: string | null;
  request_path: string | null;
  /** JSON object text. */
  request_params: string | null;
  request_filter: string | null;
  outcome_status: number | null;
  outcome_result_count: number | null;
  outcome_duration_ms: number | null;
  /** JSON `{ code, message }` text. */
  outcome_error: string | null;
  /** JSON text: per-action metadata. */
  details: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

export interface AuditTermsTable {
  term: string;
  seq: number | string;
}

export interface AuditTables {
  audit_events: AuditEventsTable;
  audit_terms: AuditTermsTable;
}
