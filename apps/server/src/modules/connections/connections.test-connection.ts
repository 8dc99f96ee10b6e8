// POST /api/connections/:id/test — can the server reach the provider? GET /ServiceProviderConfig
// through the guarded client (only the connection's origin, its private-network setting,
// the configured timeout), with the calling admin's own token for this connection when they
// have linked one; without a token a 401/403 still proves that the provider answers.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/tables.ts';
import { AppError, isAppError } from '../../lib/errors.ts';
import type { GuardedFetch } from '../../lib/http/guarded-fetch.ts';
import type { TestConnectionResult } from './connections.schemas.ts';
import { findConnection } from './connections.repository.ts';

export async function testConnection(
  db: Kysely<Database>,
  guardedFetch: GuardedFetch,
  connectionId: string,
  accessToken: string | null = null,
): Promise<TestConnectionResult> {
  const row = await findConnection(db, connectionId);
  if (!row) throw new AppError('NOT_FOUND', 'No such connection.');
  const url = `${row.base_url.replace(/\/+$/, '')}/ServiceProviderConfig`;
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  try {
    const response = await guardedFetch(
      url,
      {
        method: 'GET',
        headers: {
          accept: 'application/scim+json, application/json',
          ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
        },
        redirect: 'error',
      },
      {
        allowedOrigins: [new URL(row.base_url).origin],
        allowPrivateNetwork: row.allow_private_network === 1,
      },
    );
    const status = response.status;
    const text = await response.text();
    const latencyMs = latency();
    if (status === 401 || status === 403) {
      return accessToken
        ? {
            ok: false,
            status,
            latencyMs,
            message: `The provider refused your token for /ServiceProviderConfig (HTTP ${status}).`,
          }
        : {
            ok: true,
            status,
            latencyMs,
            message: `Reachable; the provider requires a token for /ServiceProviderConfig (HTTP ${status}). Link your token to test with it.`,
          };
    }
    if (status < 200 || status >= 300)
      return {
        ok: false,
        status,
        latencyMs,
        message: `The provider answered HTTP ${status} for /ServiceProviderConfig.`,
      };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return {
        ok: false,
        status,
        latencyMs,
        message:
          'The provider answered, but /ServiceProviderConfig is not JSON: is the base URL the SCIM root (…/scim/v2)?',
      };
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      return {
        ok: false,
        status,
        latencyMs,
        message: '/ServiceProviderConfig is not a JSON object.',
      };
    }
    return {
      ok: true,
      status,
      latencyMs,
      message: `Connected in ${latencyMs} ms${accessToken ? ' with your token' : ''}.`,
      serviceProviderConfig: body as Record<string, unknown>,
    };
  } catch (error) {
    const latencyMs = latency();
    if (isAppError(error))
      return { ok: false, latencyMs, message: `${error.code}: ${error.message}` };
    return { ok: false, latencyMs, message: 'The provider could not be reached.' };
  }
}
