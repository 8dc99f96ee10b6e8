/**
 * The whole database as Kysely sees it: each module exports its own table interfaces
 * (src/modules/<m>/<m>.tables.ts) and they are joined here.
 */
import type { CoreTables } from '../modules/auth/auth.tables.ts';
import type { AuditTables } from '../modules/audit/audit.tables.ts';
import type { ConnectionTables } from '../modules/connections/connections.tables.ts';
import type { TokenVaultTables } from '../modules/token-vault/token-vault.tables.ts';
import type { QueryTables } from '../modules/scim-query/scim-query.tables.ts';

// Other owners ADD their table interfaces to this list (AuditTables, ConnectionTables, …).
export interface Database
  extends CoreTables, AuditTables, ConnectionTables, TokenVaultTables, QueryTables {}
