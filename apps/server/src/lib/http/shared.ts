import { createGuardedFetch, type GuardedFetch, type OutboundLogger } from './guarded-fetch.ts';

/**
 * One guarded client (one keep-alive pool) per server configuration, shared by every module
 * that calls out. `provideGuardedFetch` lets an embedding wrap it before the first request —
 * e.g. a test counting calls to a token endpoint, which is instrumentation of the real client,
 * not a replacement for it.
 */
const clients = new WeakMap<object, GuardedFetch>();

export function guardedFetchFor(
  config: { httpTimeoutMs: number },
  logger?: OutboundLogger,
): GuardedFetch {
  let client = clients.get(config);
  if (!client) {
    client = createGuardedFetch({ timeoutMs: config.httpTimeoutMs, ...(logger ? { logger } : {}) });
    clients.set(config, client);
  }
  return client;
}

export function provideGuardedFetch(config: { httpTimeoutMs: number }, client: GuardedFetch): void {
  clients.set(config, client);
}
