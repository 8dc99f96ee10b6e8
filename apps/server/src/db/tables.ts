/**
 * The whole database as Kysely sees it: each module exports its own table interfaces
 * (src/modules/<m>/<m>.tables.ts) and they are joined here.
 */
import type { CoreTables } from '../modules/auth/auth.tables.ts';
import type { AuditTables } from '../modules/audit/audit.tables.ts';
import type { ConnectionTables } from '../modules/connections/connections.tables.ts';

// Other owners ADD their table interfaces to this list (AuditTables, ConnectionTables, …).
export interface Database extends CoreTables, AuditTables, ConnectionTables {}
