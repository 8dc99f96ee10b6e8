// The demo profile's connections: the local sandbox in each way a provider can be used.
// Idempotent: each has a fixed seed key; a second run creates nothing and only brings the
// URL and client credentials in line with the current configuration (SANDBOX_URL may change).
import type { Kysely } from 'kysely';
import type { Config } from '../../config.ts';
import type { Database } from '../../db/tables.ts';
import { keyRingFor, open, seal, SealError } from '../../lib/crypto/index.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { clientSecretAad } from './connections.repository.ts';
import type { CreateConnectionInput } from './connections.schemas.ts';
import { createConnection } from './connections.service.ts';

export const SANDBOX_SCOPES = ['openid', 'offline_access', 'scim:read'];

export function demoConnectionDefinitions(
  sandbox: NonNullable<Config['sandbox']>,
): { seedKey: string; input: CreateConnectionInput }[] {
  const base = sandbox.url.replace(/\/+$/, '');
  const common = {
    baseUrl: `${base}/scim/v2`,
    vendor: 'generic' as const,
    // The sandbox listens on loopback.
    allowPrivateNetwork: true,
    grants: {
      roles: ['viewer', 'operator', 'auditor', 'admin'] as (
        'viewer' | 'operator' | 'auditor' | 'admin'
      )[],
      userIds: [],
    },
  };
  const oauth = {
    issuer: `${base}/oidc`,
    clientId: sandbox.clientId,
    clientSecret: sandbox.clientSecret,
    scopes: SANDBOX_SCOPES,
  };
  return [
    {
      seedKey: 'sandbox-oauth',
      input: {
        ...common,
        name: 'Sandbox (OAuth)',
        authKind: 'oauth2',
        executionMode: 'direct',
        oauth,
      },
    },
    {
      seedKey: 'sandbox-static',
      input: {
        ...common,
        name: 'Sandbox (personal token)',
        authKind: 'static',
        executionMode: 'direct',
        oauth: null,
      },
    },
    {
      seedKey: 'sandbox-login',
      input: {
        ...common,
        name: 'Sandbox (SSO login)',
        authKind: 'login',
        executionMode: 'direct',
        oauth: null,
      },
    },
    {
      seedKey: 'sandbox-relay',
      input: {
        ...common,
        name: 'Sandbox (relay)',
        authKind: 'oauth2',
        executionMode: 'relay',
        oauth,
      },
    },
  ];
}

export interface SeedReport {
  created: string[];
  updated: string[];
}

export async function seedDemoConnections(
  db: Kysely<Database>,
  config: Pick<Config, 'profile' | 'encryption' | 'sandbox'>,
  now: () => Date = () => new Date(),
): Promise<SeedReport> {
  const report: SeedReport = { created: [], updated: [] };
  if (!config.sandbox || config.profile !== 'demo') return report;
  const keyRing = keyRingFor(config.encryption);
  for (const { seedKey, input } of demoConnectionDefinitions(config.sandbox)) {
    const existing = await db
      .selectFrom('connections')
      .selectAll()
      .where('seed_key', '=', seedKey)
      .executeTakeFirst();
    if (!existing) {
      // A connection an admin created with the same name wins; do not fight it.
      const clash = await db
        .selectFrom('connections')
        .select('id')
        .where('name', '=', input.name)
        .executeTakeFirst();
      if (clash) continue;
      const created = await createConnection({ db, config, keyRing, now }, null, input, {
        seedKey,
      });
      report.created.push(created.id);
      continue;
    }
    const changes: Record<string, string | null> = {};
    if (existing.base_url !== input.baseUrl) changes['base_url'] = input.baseUrl;
    if (input.oauth && existing.auth_kind === 'oauth2') {
      if (existing.oauth_issuer !== input.oauth.issuer)
        changes['oauth_issuer'] = input.oauth.issuer ?? null;
      if (existing.oauth_client_id !== input.oauth.clientId)
        changes['oauth_client_id'] = input.oauth.clientId;
      let current: string | null = null;
      try {
        current = existing.oauth_client_secret_sealed
          ? open(keyRing, existing.oauth_client_secret_sealed, clientSecretAad(existing.id))
          : null;
      } catch (error) {
        if (!(error instanceof SealError)) throw error; // demo keys regenerated: re-seal below
      }
      if (current !== input.oauth.clientSecret) {
        changes['oauth_client_secret_sealed'] = input.oauth.clientSecret
          ? seal(keyRing, input.oauth.clientSecret, clientSecretAad(existing.id))
          : null;
      }
    }
    if (Object.keys(changes).length === 0) continue;
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('connections')
        .set({ ...changes, updated_at: now().toISOString(), updated_by: null })
        .where('id', '=', existing.id)
        .execute();
      const names: Record<string, string> = {
        base_url: 'baseUrl',
        oauth_issuer: 'oauth.issuer',
        oauth_client_id: 'oauth.clientId',
        oauth_client_secret_sealed: 'oauth.clientSecret',
      };
      const changed = Object.keys(changes).map((c) => names[c] ?? c);
      await recordAudit(trx, {
        action: 'connection.updated',
        actor: null,
        connectionId: existing.id,
        outcome: { status: 200 },
        details: { name: existing.name, changed },
      });
    });
    report.updated.push(existing.id);
  }
  return report;
}
