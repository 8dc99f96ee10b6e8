/** Generated queries and saved queries (scim-features). */
export interface QueriesTable {
  id: string;
  user_id: string;
  connection_id: string;
  resource_type: string;
  method: 'GET' | 'POST';
  path: string;
  /** JSON: the canonical generated request (path, params, body, filter). */
  request: string;
  created_at: string;
  /** Set once, by the owner's outcome report. */
  outcome_reported_at: string | null;
}

export interface SavedQueriesTable {
  id: string;
  user_id: string;
  name: string;
  /** JSON: a POST /api/scim-query body. */
  input: string;
  created_at: string;
  updated_at: string;
}

export interface QueryTables {
  queries: QueriesTable;
  saved_queries: SavedQueriesTable;
}
