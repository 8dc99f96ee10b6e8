import {
  COMMON_ATTRIBUTES,
  coreSchemaModel,
  getVendorProfile,
  schemaModelFromDiscovery,
  type SchemaModel,
  type VendorProfile,
} from '@scim-console/scim';
import type { Actor } from '../../lib/actor.ts';
import { AppError } from '../../lib/errors.ts';
import type { GuardedFetch } from '../../lib/http/guarded-fetch.ts';
import type { ProviderConnection } from '../token-vault/provider-connection.ts';
import type { TokenVault } from '../token-vault/token-vault.service.ts';
import { SCIM_ACCEPT, scimPolicy } from '../token-vault/token-verification.ts';

/**
 * Discovery (/ServiceProviderConfig, /Schemas, /ResourceTypes) with the caller's own token,
 * through the guarded client, cached per connection for DISCOVERY_CACHE_SECONDS. When it
 * fails the RFC core schemas and the vendor profile answer (`source: 'defaults'`).
 *
 * The cache is in memory on purpose: it is an optimisation, nothing depends on it for
 * correctness, and a replica without it simply discovers again.
 */

export interface Capabilities {
  filter: boolean;
  maxResults: number | null;
  sort: boolean;
  etag: boolean;
  search: boolean;
  indexPaging: boolean;
  cursorPaging: boolean;
  maxPageSize: number;
}

export interface ProviderModel {
  source: 'discovered' | 'defaults';
  discoveryError: string | null;
  schema: SchemaModel;
  vendor: VendorProfile;
  capabilities: Capabilities;
}

/** Failed discoveries are retried sooner than successful ones expire. */
const FAILURE_CACHE_MS = 30_000;

type Json = Record<string, unknown>;

const obj = (v: unknown): Json | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null;
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
const posInt = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : undefined;

export function capabilitiesFrom(spc: Json | null, vendor: VendorProfile): Capabilities {
  const filter = obj(spc?.['filter']);
  const pagination = obj(spc?.['pagination']);
  const maxResults = posInt(filter?.['maxResults']) ?? null;
  return {
    filter: bool(filter?.['supported']) ?? true,
    maxResults,
    sort: (bool(obj(spc?.['sort'])?.['supported']) ?? vendor.sort) && vendor.sort,
    etag: bool(obj(spc?.['etag'])?.['supported']) ?? false,
    // ServiceProviderConfig has no flag for /.search; the vendor profile decides.
    search: vendor.search,
    indexPaging: bool(pagination?.['index']) ?? vendor.paging.index,
    cursorPaging: bool(pagination?.['cursor']) ?? vendor.paging.cursor,
    maxPageSize: Math.min(
      posInt(pagination?.['maxPageSize']) ?? vendor.paging.maxPageSize,
      vendor.paging.maxPageSize,
    ),
  };
}

/** The RFC core schemas plus the common attributes, for `defaults`. */
export function defaultModel(
  vendor: VendorProfile,
  discoveryError: string,
  spc: Json | null = null,
): ProviderModel {
  return {
    source: 'defaults',
    discoveryError,
    schema: coreSchemaModel(),
    vendor,
    capabilities: capabilitiesFrom(spc, vendor),
  };
}

export { COMMON_ATTRIBUTES };

export function createDiscovery(deps: {
  vault: TokenVault;
  guardedFetch: GuardedFetch;
  cacheSeconds: number;
  now: () => Date;
}) {
  const cache = new Map<string, { expiresAt: number; model: ProviderModel }>();

  async function fetchJson(
    connection: ProviderConnection,
    path: string,
    token: { accessToken: string; refreshAfter401(): Promise<{ accessToken: string } | null> },
  ): Promise<{ status: number; body: unknown }> {
    const policy = scimPolicy(connection);
    const call = (accessToken: string) =>
      deps.guardedFetch(
        `${connection.baseUrl}${path}`,
        { headers: { authorization: `Bearer ${accessToken}`, accept: SCIM_ACCEPT } },
        { ...policy, maxResponseBytes: 4 * 1024 * 1024 },
      );
    let response = await call(token.accessToken);
    if (response.status === 401) {
      await response.body?.cancel();
      const fresh = await token.refreshAfter401();
      if (fresh) {
        token.accessToken = fresh.accessToken;
        response = await call(fresh.accessToken);
      }
    }
    if (!response.ok) {
      await response.body?.cancel();
      return { status: response.status, body: null };
    }
    try {
      return { status: response.status, body: await response.json() };
    } catch {
      throw new AppError('PROVIDER_ERROR', `${path} did not answer with JSON`);
    }
  }

  async function discover(
    actor: Actor,
    connection: ProviderConnection,
    vendor: VendorProfile,
  ): Promise<ProviderModel> {
    let token;
    try {
      token = await deps.vault.tokenForUse(actor, connection);
    } catch (error) {
      const reason = error instanceof AppError ? error.message : 'no usable token';
      throw new AppError(
        'TOKEN_MISSING',
        `Discovery needs your token for this connection: ${reason}`,
      );
    }
    let spc = await fetchJson(connection, '/ServiceProviderConfig', token);
    // Salesforce serves the SCIM 1.1 spelling under /v2.
    if (spc.status === 404) spc = await fetchJson(connection, '/ServiceProviderConfigs', token);
    const spcBody = obj(spc.body);
    const schemas = await fetchJson(connection, '/Schemas', token);
    const resourceTypes = await fetchJson(connection, '/ResourceTypes', token);
    if (!schemas.body || !resourceTypes.body) {
      const failed = !schemas.body
        ? `/Schemas answered ${schemas.status}`
        : `/ResourceTypes answered ${resourceTypes.status}`;
      return defaultModel(
        vendor,
        `Discovery incomplete (${failed}); using the RFC core schemas.`,
        spcBody,
      );
    }
    let schema: SchemaModel;
    try {
      schema = schemaModelFromDiscovery(schemas.body, resourceTypes.body);
    } catch (error) {
      return defaultModel(
        vendor,
        `The provider's schemas could not be read (${(error as Error).message.slice(0, 200)}); using the RFC core schemas.`,
        spcBody,
      );
    }
    if (schema.resourceTypes.length === 0)
      return defaultModel(
        vendor,
        '/ResourceTypes listed no resource types; using the RFC core schemas.',
        spcBody,
      );
    return {
      source: 'discovered',
      discoveryError: null,
      schema,
      vendor,
      capabilities: capabilitiesFrom(spcBody, vendor),
    };
  }

  return {
    async modelFor(actor: Actor, connection: ProviderConnection): Promise<ProviderModel> {
      const key = `${connection.id}@${connection.updatedAt}`;
      const nowMs = deps.now().getTime();
      const hit = cache.get(key);
      if (hit && hit.expiresAt > nowMs) return hit.model;
      const vendor = getVendorProfile(connection.vendor);
      let model: ProviderModel;
      try {
        model = await discover(actor, connection, vendor);
      } catch (error) {
        const message = error instanceof AppError ? error.message : 'Discovery failed.';
        // A missing token is the caller's state, not the provider's: do not cache it for others.
        if (error instanceof AppError && error.code === 'TOKEN_MISSING')
          return defaultModel(vendor, message);
        model = defaultModel(vendor, message);
      }
      const ttl =
        model.source === 'discovered'
          ? deps.cacheSeconds * 1000
          : Math.min(FAILURE_CACHE_MS, deps.cacheSeconds * 1000);
      cache.set(key, { expiresAt: nowMs + ttl, model });
      return model;
    },
    clear(): void {
      cache.clear();
    },
  };
}

export type Discovery = ReturnType<typeof createDiscovery>;
