// Connections: admin writes (each with its audit event in the same transaction), reads limited
// to what the caller is granted, and the server-internal accessors other modules use.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from '../../config.ts';
import type { Database } from '../../db/tables.ts';
import type { Actor } from '../../lib/actor.ts';
import { open, seal, type KeyRing } from '../../lib/crypto/index.ts';
import { AppError } from '../../lib/errors.ts';
import { invalidateCspCache } from '../../plugins/security-headers.ts';
import { recordAudit } from '../audit/audit.service.ts';
import {
  clientSecretAad,
  deleteConnectionRow,
  findConnection,
  findConnectionByName,
  grantsOf,
  insertConnection,
  listConnectionRows,
  toConnectionDto,
  updateConnection,
  type ConnectionRow,
} from './connections.repository.ts';
import type {
  ConnectionDto,
  CreateConnectionInput,
  PatchConnectionInput,
} from './connections.schemas.ts';
import type { ConnectionsTable } from './connections.tables.ts';
import { checkOutboundUrl } from './connections.url.ts';

export interface ConnectionsDeps {
  db: Kysely<Database>;
  config: Pick<Config, 'profile' | 'encryption'>;
  keyRing: KeyRing;
  now: () => Date;
}

/** Admins see and may use every connection; others only those granted to their role or to them. */
export function isGranted(
  row: ConnectionRow,
  actor: Pick<Actor, 'userId' | 'role' | 'permissions'>,
): boolean {
  if (actor.permissions.has('admin:manage')) return true;
  const grants = grantsOf(row);
  return grants.roles.includes(actor.role) || grants.userIds.includes(actor.userId);
}

const notFound = () => new AppError('NOT_FOUND', 'No such connection.');

/**
 * The row of a connection the caller may use; 404 otherwise — the same answer as for an id
 * that does not exist, so the existence of ungranted connections is not revealed.
 */
export async function assertConnectionAccess(
  db: Kysely<Database>,
  actor: Actor,
  connectionId: string,
): Promise<ConnectionRow> {
  const row = await findConnection(db, connectionId);
  if (!row) throw notFound();
  if (!isGranted(row, actor)) {
    // Same 404 as a missing id (existence stays hidden), but it is a denial: audit it.
    await recordAudit(db, {
      action: 'permission.denied',
      actor,
      connectionId: row.id,
      outcome: { status: 404, error: { code: 'NOT_FOUND', message: 'Connection not granted.' } },
      details: { permission: 'connection:grant', reason: 'connection not granted to the caller' },
    });
    throw notFound();
  }
  return row;
}

/** Non-admins learn which roles a connection is granted to, but not which other users. */
function forCaller(dto: ConnectionDto, actor: Actor): ConnectionDto {
  if (actor.permissions.has('admin:manage')) return dto;
  return {
    ...dto,
    grants: {
      roles: dto.grants.roles,
      userIds: dto.grants.userIds.filter((id) => id === actor.userId),
    },
  };
}

export async function listConnections(
  deps: Pick<ConnectionsDeps, 'db'>,
  actor: Actor,
): Promise<ConnectionDto[]> {
  return (await listConnectionRows(deps.db))
    .filter((row) => isGranted(row, actor))
    .map((row) => forCaller(toConnectionDto(row), actor));
}

export async function getConnection(
  deps: Pick<ConnectionsDeps, 'db'>,
  actor: Actor,
  id: string,
): Promise<ConnectionDto> {
  return forCaller(toConnectionDto(await assertConnectionAccess(deps.db, actor, id)), actor);
}

/** A connection with its client secret opened: for server-internal use only, never a response. */
export interface ConnectionForUse {
  id: string;
  name: string;
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
  grants: { roles: string[]; userIds: string[] };
  updatedAt: string;
}

/**
 * Loads a connection for outbound use. With `actor`, also enforces the grant (404 otherwise).
 * The returned object holds the plaintext client secret: do not log or serialise it.
 */
export async function getConnectionForUse(
  db: Kysely<Database>,
  keyRing: KeyRing,
  connectionId: string,
  actor?: Actor,
): Promise<ConnectionForUse> {
  const row = actor
    ? await assertConnectionAccess(db, actor, connectionId)
    : await findConnection(db, connectionId);
  if (!row) throw notFound();
  const dto = toConnectionDto(row);
  return {
    id: dto.id,
    name: dto.name,
    baseUrl: dto.baseUrl,
    authKind: dto.authKind,
    executionMode: dto.executionMode,
    vendor: dto.vendor,
    allowPrivateNetwork: dto.allowPrivateNetwork,
    oauth: dto.oauth
      ? {
          issuer: dto.oauth.issuer,
          authorizationEndpoint: dto.oauth.authorizationEndpoint,
          tokenEndpoint: dto.oauth.tokenEndpoint,
          revocationEndpoint: dto.oauth.revocationEndpoint,
          clientId: dto.oauth.clientId,
          clientSecret: row.oauth_client_secret_sealed
            ? open(keyRing, row.oauth_client_secret_sealed, clientSecretAad(row.id))
            : null,
          scopes: dto.oauth.scopes,
        }
      : null,
    grants: dto.grants,
    updatedAt: dto.updatedAt,
  };
}

/** Origins of direct-mode connections: the browser calls them, so the CSP's connect-src lists them. */
export async function listConnectionOrigins(db: Kysely<Database>): Promise<string[]> {
  const rows = await db
    .selectFrom('connections')
    .select('base_url')
    .where('execution_mode', '=', 'direct')
    .execute();
  const origins = new Set<string>();
  for (const { base_url } of rows) {
    try {
      origins.add(new URL(base_url).origin);
    } catch {
      /* validated on write; an unparsable legacy value is skipped */
    }
  }
  return [...origins].sort();
}

// ---------------------------------------------------------------------------------------------
// Writes (admin:manage is enforced by the route; the service re-checks so it is safe to call).

type OAuthInput = NonNullable<CreateConnectionInput['oauth']>;

interface Resolved {
  name: string;
  baseUrl: string;
  authKind: ConnectionsTable['auth_kind'];
  executionMode: ConnectionsTable['execution_mode'];
  vendor: string;
  allowPrivateNetwork: boolean;
  oauth: (Omit<OAuthInput, 'clientSecret'> & { clientSecretSealed: string | null }) | null;
  grants: { roles: string[]; userIds: string[] };
}

function requireAdmin(actor: Actor | null): void {
  if (actor && !actor.permissions.has('admin:manage'))
    throw new AppError('FORBIDDEN', 'Only administrators manage connections.');
}

function validateResolved(r: Resolved, profile: Config['profile']): Resolved {
  const rules = { profile, allowPrivateNetwork: r.allowPrivateNetwork };
  const baseUrl = checkOutboundUrl(r.baseUrl, 'body.baseUrl', {
    ...rules,
    allowQuery: false,
    normalize: true,
  });
  let oauth = r.oauth;
  if (r.authKind !== 'oauth2') {
    oauth = null;
  } else {
    if (!oauth)
      throw new AppError(
        'VALIDATION_FAILED',
        'oauth is required for oauth2 connections (issuer or endpoints, clientId).',
        { field: 'body.oauth' },
      );
    const endpoint = (value: string | null | undefined, name: string) =>
      value
        ? checkOutboundUrl(value, `body.oauth.${name}`, { ...rules, allowQuery: name !== 'issuer' })
        : null;
    oauth = {
      ...oauth,
      issuer: endpoint(oauth.issuer, 'issuer'),
      authorizationEndpoint: endpoint(oauth.authorizationEndpoint, 'authorizationEndpoint'),
      tokenEndpoint: endpoint(oauth.tokenEndpoint, 'tokenEndpoint'),
      revocationEndpoint: endpoint(oauth.revocationEndpoint, 'revocationEndpoint'),
      scopes: [...new Set(oauth.scopes)],
    };
    if (!oauth.issuer && !(oauth.authorizationEndpoint && oauth.tokenEndpoint)) {
      throw new AppError(
        'VALIDATION_FAILED',
        'oauth needs an issuer (discovery) or both authorizationEndpoint and tokenEndpoint.',
        { field: 'body.oauth.issuer' },
      );
    }
  }
  return {
    ...r,
    baseUrl,
    oauth,
    grants: { roles: [...new Set(r.grants.roles)], userIds: [...new Set(r.grants.userIds)] },
  };
}

function toRowValues(
  r: Resolved,
): Omit<
  ConnectionsTable,
  'id' | 'seed_key' | 'created_at' | 'updated_at' | 'created_by' | 'updated_by'
> {
  return {
    name: r.name,
    base_url: r.baseUrl,
    auth_kind: r.authKind,
    execution_mode: r.executionMode,
    vendor: r.vendor,
    allow_private_network: r.allowPrivateNetwork ? 1 : 0,
    oauth_issuer: r.oauth?.issuer ?? null,
    oauth_authorization_endpoint: r.oauth?.authorizationEndpoint ?? null,
    oauth_token_endpoint: r.oauth?.tokenEndpoint ?? null,
    oauth_revocation_endpoint: r.oauth?.revocationEndpoint ?? null,
    oauth_client_id: r.oauth?.clientId ?? null,
    oauth_client_secret_sealed: r.oauth?.clientSecretSealed ?? null,
    oauth_scopes: r.oauth ? JSON.stringify(r.oauth.scopes) : null,
    grant_roles: JSON.stringify(r.grants.roles),
    grant_user_ids: JSON.stringify(r.grants.userIds),
  };
}

async function assertNameFree(
  db: Kysely<Database>,
  name: string,
  exceptId?: string,
): Promise<void> {
  const existing = await findConnectionByName(db, name);
  if (existing && existing.id !== exceptId)
    throw new AppError('CONFLICT', `A connection named "${name}" already exists.`, {
      field: 'body.name',
    });
}

export function newConnectionId(): string {
  return `conn_${randomBytes(12).toString('base64url')}`;
}

export async function createConnection(
  deps: ConnectionsDeps,
  actor: Actor | null,
  input: CreateConnectionInput,
  options: { seedKey?: string } = {},
): Promise<ConnectionDto> {
  requireAdmin(actor);
  const id = newConnectionId();
  if (input.authKind !== 'oauth2' && input.oauth) {
    throw new AppError(
      'VALIDATION_FAILED',
      `oauth applies only to oauth2 connections (this one is ${input.authKind}).`,
      { field: 'body.oauth' },
    );
  }
  const { clientSecret, ...oauthRest } = input.oauth ?? { clientSecret: null };
  const resolved = validateResolved(
    {
      name: input.name,
      baseUrl: input.baseUrl,
      authKind: input.authKind,
      executionMode: input.executionMode,
      vendor: input.vendor,
      allowPrivateNetwork: input.allowPrivateNetwork,
      oauth: input.oauth
        ? { ...(oauthRest as Omit<OAuthInput, 'clientSecret'>), clientSecretSealed: null }
        : null,
      grants: input.grants,
    },
    deps.config.profile,
  );
  if (resolved.oauth && clientSecret)
    resolved.oauth.clientSecretSealed = seal(deps.keyRing, clientSecret, clientSecretAad(id));
  await assertNameFree(deps.db, resolved.name);
  const now = deps.now().toISOString();
  const row: ConnectionsTable = {
    id,
    ...toRowValues(resolved),
    seed_key: options.seedKey ?? null,
    created_at: now,
    updated_at: now,
    created_by: actor?.userId ?? null,
    updated_by: actor?.userId ?? null,
  };
  await deps.db
    .transaction()
    .execute(async (trx) => {
      await insertConnection(trx, row);
      await recordAudit(trx, {
        action: 'connection.created',
        actor,
        connectionId: id,
        outcome: { status: 201 },
        details: {
          name: row.name,
          authKind: row.auth_kind,
          executionMode: row.execution_mode,
          baseUrl: row.base_url,
        },
      });
    })
    .catch(rethrowUnique);
  invalidateCspCache();
  return toConnectionDto(row);
}

function rethrowUnique(error: unknown): never {
  const text = error instanceof Error ? error.message : '';
  if (/unique|duplicate key/i.test(text))
    throw new AppError('CONFLICT', 'A connection with that name already exists.', {
      field: 'body.name',
    });
  throw error;
}

const TRACKED: [keyof ConnectionsTable, string][] = [
  ['name', 'name'],
  ['base_url', 'baseUrl'],
  ['auth_kind', 'authKind'],
  ['execution_mode', 'executionMode'],
  ['vendor', 'vendor'],
  ['allow_private_network', 'allowPrivateNetwork'],
  ['oauth_issuer', 'oauth.issuer'],
  ['oauth_authorization_endpoint', 'oauth.authorizationEndpoint'],
  ['oauth_token_endpoint', 'oauth.tokenEndpoint'],
  ['oauth_revocation_endpoint', 'oauth.revocationEndpoint'],
  ['oauth_client_id', 'oauth.clientId'],
  ['oauth_scopes', 'oauth.scopes'],
  ['grant_roles', 'grants.roles'],
  ['grant_user_ids', 'grants.userIds'],
];

export async function patchConnection(
  deps: ConnectionsDeps,
  actor: Actor | null,
  id: string,
  input: PatchConnectionInput,
): Promise<ConnectionDto> {
  requireAdmin(actor);
  const row = await findConnection(deps.db, id);
  if (!row) throw notFound();
  const current = toConnectionDto(row);
  const authKind = input.authKind ?? current.authKind;
  if (authKind !== 'oauth2' && input.oauth) {
    throw new AppError(
      'VALIDATION_FAILED',
      `oauth applies only to oauth2 connections (this one is ${authKind}).`,
      { field: 'body.oauth' },
    );
  }
  let oauth: Resolved['oauth'] = null;
  let secretChanged = false;
  if (authKind === 'oauth2' && input.oauth !== null) {
    const base = current.oauth;
    const given = input.oauth ?? {};
    const pick = <
      K extends 'issuer' | 'authorizationEndpoint' | 'tokenEndpoint' | 'revocationEndpoint',
    >(
      k: K,
    ) => (given[k] !== undefined ? given[k] : (base?.[k] ?? null));
    const clientId = given.clientId ?? base?.clientId;
    if (clientId === undefined)
      throw new AppError(
        'VALIDATION_FAILED',
        'oauth.clientId is required for oauth2 connections.',
        { field: 'body.oauth.clientId' },
      );
    let sealed = row.oauth_client_secret_sealed;
    if (given.clientSecret === null) sealed = null;
    else if (typeof given.clientSecret === 'string')
      sealed = seal(deps.keyRing, given.clientSecret, clientSecretAad(id));
    secretChanged = sealed !== row.oauth_client_secret_sealed;
    oauth = {
      issuer: pick('issuer'),
      authorizationEndpoint: pick('authorizationEndpoint'),
      tokenEndpoint: pick('tokenEndpoint'),
      revocationEndpoint: pick('revocationEndpoint'),
      clientId,
      scopes: given.scopes ?? base?.scopes ?? [],
      clientSecretSealed: sealed,
    };
  } else if (row.oauth_client_secret_sealed) {
    secretChanged = true;
  }
  const resolved = validateResolved(
    {
      name: input.name ?? current.name,
      baseUrl: input.baseUrl ?? current.baseUrl,
      authKind,
      executionMode: input.executionMode ?? current.executionMode,
      vendor: input.vendor ?? current.vendor,
      allowPrivateNetwork: input.allowPrivateNetwork ?? current.allowPrivateNetwork,
      oauth,
      grants: {
        roles: input.grants?.roles ?? current.grants.roles,
        userIds: input.grants?.userIds ?? current.grants.userIds,
      },
    },
    deps.config.profile,
  );
  if (resolved.name !== row.name) await assertNameFree(deps.db, resolved.name, id);
  const values = toRowValues(resolved);
  const changed = TRACKED.filter(
    ([col]) => (values as Record<string, unknown>)[col] !== (row as Record<string, unknown>)[col],
  ).map(([, name]) => name);
  if (secretChanged) changed.push('oauth.clientSecret');
  const updatedAt = deps.now().toISOString();
  const next: ConnectionRow = {
    ...row,
    ...values,
    updated_at: updatedAt,
    updated_by: actor?.userId ?? null,
  };
  if (changed.length === 0) return current;
  await deps.db
    .transaction()
    .execute(async (trx) => {
      await updateConnection(trx, id, {
        ...values,
        updated_at: updatedAt,
        updated_by: actor?.userId ?? null,
      });
      await recordAudit(trx, {
        action: 'connection.updated',
        actor,
        connectionId: id,
        outcome: { status: 200 },
        details: { name: next.name, changed },
      });
    })
    .catch(rethrowUnique);
  invalidateCspCache();
  return toConnectionDto(next);
}

export async function deleteConnection(
  deps: Pick<ConnectionsDeps, 'db'>,
  actor: Actor | null,
  id: string,
): Promise<void> {
  requireAdmin(actor);
  await deps.db.transaction().execute(async (trx) => {
    const row = await findConnection(trx, id);
    if (!row) throw notFound();
    await deleteConnectionRow(trx, id);
    await recordAudit(trx, {
      action: 'connection.deleted',
      actor,
      connectionId: id,
      outcome: { status: 204 },
      details: { name: row.name },
    });
  });
  invalidateCspCache();
}
