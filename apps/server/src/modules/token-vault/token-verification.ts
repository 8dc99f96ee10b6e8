import type { GuardedFetch, OutboundPolicy } from '../../lib/http/guarded-fetch.ts';
import { originOf } from '../../lib/http/guarded-fetch.ts';
import type { ProviderConnection } from './provider-connection.ts';

export const SCIM_ACCEPT = 'application/scim+json, application/json;q=0.9';

export function scimPolicy(connection: ProviderConnection): OutboundPolicy {
  return {
    allowedOrigins: [originOf(connection.baseUrl)!],
    allowPrivateNetwork: connection.allowPrivateNetwork,
  };
}

export type Verification =
  | {
      ok: true;
      subject: { id: string | null; userName: string | null } | null;
      via: 'Me' | 'list' | 'ServiceProviderConfig';
      message: string | null;
    }
  | { ok: false; status: number; message: string };

async function readJson(response: Response): Promise<Record<string, unknown> | null> {
  try {
    const body: unknown = await response.json();
    return body !== null && typeof body === 'object' && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * Asks the provider whether a token works and whom it belongs to:
 *  1. `GET /Me` (RFC 7644 §3.11) — proves the token and names its SCIM subject;
 *  2. `GET /Users?count=0` — proves the token when /Me is not implemented;
 *  3. `GET /ServiceProviderConfig` — last resort; many providers serve it without
 *     authentication, so a 200 there is recorded as "accepted, not verified".
 * The list comes before /ServiceProviderConfig (the issue lists them the other way round)
 * because only an authenticated endpoint can prove a token.
 * A 401 at any step means the provider refuses the token. Network failures throw
 * (PROVIDER_UNREACHABLE / URL_NOT_ALLOWED) so nothing is linked on a guess.
 */
export async function verifyToken(
  guardedFetch: GuardedFetch,
  connection: ProviderConnection,
  accessToken: string,
): Promise<Verification> {
  const policy = scimPolicy(connection);
  const headers = { authorization: `Bearer ${accessToken}`, accept: SCIM_ACCEPT };
  const refused = (status: number): Verification => ({
    ok: false,
    status,
    message:
      status === 401
        ? 'The provider refused this token (401).'
        : `The provider answered ${status}.`,
  });

  const me = await guardedFetch(`${connection.baseUrl}/Me`, { headers }, policy);
  if (me.status === 401) {
    await me.body?.cancel();
    return refused(401);
  }
  if (me.ok) {
    const body = await readJson(me);
    if (body && (typeof body['id'] === 'string' || typeof body['userName'] === 'string')) {
      return {
        ok: true,
        via: 'Me',
        subject: {
          id: typeof body['id'] === 'string' ? body['id'] : null,
          userName: typeof body['userName'] === 'string' ? body['userName'] : null,
        },
        message: null,
      };
    }
  } else {
    await me.body?.cancel();
  }

  const list = await guardedFetch(`${connection.baseUrl}/Users?count=0`, { headers }, policy);
  await list.body?.cancel();
  if (list.status === 401) return refused(401);
  if (list.ok)
    return {
      ok: true,
      via: 'list',
      subject: null,
      message: 'The provider accepted the token; it does not say whom it belongs to (no /Me).',
    };

  const spc = await guardedFetch(
    `${connection.baseUrl}/ServiceProviderConfig`,
    { headers },
    policy,
  );
  await spc.body?.cancel();
  if (spc.status === 401) return refused(401);
  if (spc.ok) {
    return {
      ok: true,
      via: 'ServiceProviderConfig',
      subject: null,
      message: `Not verified: /Users answered ${list.status} and /ServiceProviderConfig may not need a token.`,
    };
  }
  return refused(list.status === 403 ? 403 : spc.status);
}
