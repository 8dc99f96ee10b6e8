// Connections storage. The OAuth client secret is sealed (lib/crypto) and registered for key
// rotation; rows are turned into DTOs by toConnectionDto, which has no access to the secret.
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../../db/tables.ts';
import type { Role } from '../../lib/actor.ts';
import { registerSealedColumn, type SealAad } from '../../lib/crypto/index.ts';
import type { ConnectionDto } from './connections.schemas.ts';
import type { ConnectionsTable } from './connections.tables.ts';

type Db = Kysely<Database> | Transaction<Database>;
export type ConnectionRow = Selectable<ConnectionsTable>;

export function clientSecretAad(connectionId: string): SealAad {
  return { ownerId: 'connection', connectionId, purpose: 'connection.client_secret' };
}

registerSealedColumn({
  table: 'connections',
  idColumn: 'id',
  column: 'oauth_client_secret_sealed',
  aadColumns: [],
  aad: (row) => clientSecretAad(String(row['id'])),
});

function jsonArray(text: string | null): string[] {
  if (!text) return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

export function grantsOf(row: ConnectionRow): { roles: Role[]; userIds: string[] } {
  return { roles: jsonArray(row.grant_roles) as Role[], userIds: jsonArray(row.grant_user_ids) };
}

export function toConnectionDto(row: ConnectionRow): ConnectionDto {
  return {
    id: row.id,
    name: row.name,
    baseUrl: row.base_url,
    authKind: row.auth_kind,
    executionMode: row.execution_mode,
    vendor: row.vendor as ConnectionDto['vendor'],
    allowPrivateNetwork: row.allow_private_network === 1,
    oauth:
      row.oauth_client_id !== null
        ? {
            issuer: row.oauth_issuer,
            authorizationEndpoint: row.oauth_authorization_endpoint,
            tokenEndpoint: row.oauth_token_endpoint,
            revocationEndpoint: row.oauth_revocation_endpoint,
            clientId: row.oauth_client_id,
            scopes: jsonArray(row.oauth_scopes),
            hasClientSecret: row.oauth_client_secret_sealed !== null,
          }
        : null,
    grants: grantsOf(row),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function findConnection(db: Db, id: string): Promise<ConnectionRow | undefined> {
  return db.selectFrom('connections').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findConnectionByName(db: Db, name: string): Promise<ConnectionRow | undefined> {
  return db.selectFrom('connections').selectAll().where('name', '=', name).executeTakeFirst();
}

export function listConnectionRows(db: Db): Promise<ConnectionRow[]> {
  return db.selectFrom('connections').selectAll().orderBy('name').orderBy('id').execute();
}

export async function insertConnection(db: Db, row: ConnectionsTable): Promise<void> {
  await db.insertInto('connections').values(row).execute();
}

export async function updateConnection(
  db: Db,
  id: string,
  changes: Partial<ConnectionsTable>,
): Promise<void> {
  await db.updateTable('connections').set(changes).where('id', '=', id).execute();
}

export async function deleteConnectionRow(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('connections').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
