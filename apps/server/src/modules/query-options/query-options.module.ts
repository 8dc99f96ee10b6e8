import type { FastifyInstance } from 'fastify';
import { guardedFetchFor } from '../../lib/http/shared.ts';
import { vaultFor } from '../token-vault/token-vault.module.ts';
import { createDiscovery, type Discovery } from './discovery.service.ts';

/** One discovery cache per server instance (keyed like the vault, by its database handle). */
const discoveries = new WeakMap<object, Discovery>();

export function discoveryFor(
  app: Pick<FastifyInstance, 'db' | 'config' | 'now' | 'log'>,
): Discovery {
  let discovery = discoveries.get(app.db);
  if (!discovery) {
    discovery = createDiscovery({
      vault: vaultFor(app),
      guardedFetch: guardedFetchFor(app.config, app.log),
      cacheSeconds: app.config.discoveryCacheSeconds,
      now: app.now,
    });
    discoveries.set(app.db, discovery);
  }
  return discovery;
}
