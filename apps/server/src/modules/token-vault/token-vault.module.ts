import type { FastifyInstance } from 'fastify';
import type { Actor } from '../../lib/actor.ts';
import { keyRingFor } from '../../lib/crypto/index.ts';
import { guardedFetchFor } from '../../lib/http/shared.ts';
import { getConnectionForUse, listConnections } from '../connections/connections.service.ts';
import { trimBaseUrl, type ProviderConnection } from './provider-connection.ts';
import {
  createTokenVault,
  type ConnectionsPort,
  type TokenSet,
  type TokenStatus,
  type TokenVault,
} from './token-vault.service.ts';

/**
 * One vault per server instance (keyed by its database handle, which every encapsulated
 * plugin context shares), so token-vault, query-options and the relay use the same in-process
 * refresh coalescing. Cross-replica correctness never depends on it (the lease row does that).
 */
const vaults = new WeakMap<object, TokenVault>();

type AppLike = Pick<FastifyInstance, 'db' | 'config' | 'now' | 'log'>;

export function connectionsPortFor(app: AppLike): ConnectionsPort {
  const keyRing = keyRingFor(app.config.encryption);
  const toProvider = (c: Awaited<ReturnType<typeof getConnectionForUse>>): ProviderConnection => ({
    ...c,
    baseUrl: trimBaseUrl(c.baseUrl),
  });
  return {
    getForUse: async (actor, connectionId) =>
      toProvider(await getConnectionForUse(app.db, keyRing, connectionId, actor)),
    listUsable: async (actor) => {
      const granted = await listConnections({ db: app.db }, actor);
      return Promise.all(
        granted.map(async (c) =>
          toProvider(await getConnectionForUse(app.db, keyRing, c.id, actor)),
        ),
      );
    },
  };
}

export function vaultFor(app: AppLike): TokenVault {
  let vault = vaults.get(app.db);
  if (!vault) {
    vault = createTokenVault({
      db: app.db,
      config: app.config,
      keyRing: keyRingFor(app.config.encryption),
      guardedFetch: guardedFetchFor(app.config, app.log),
      connections: connectionsPortFor(app),
      now: app.now,
    });
    vaults.set(app.db, vault);
  }
  return vault;
}

/**
 * For the platform's OIDC callback: hands the SSO login's token set to the vault, which
 * stores it as the user's credential for every `login` connection they may use.
 */
export function storeLoginTokens(
  app: AppLike,
  actor: Actor,
  tokenSet: TokenSet,
): Promise<TokenStatus[]> {
  return vaultFor(app).storeLoginTokens(actor, tokenSet);
}
