import type { Kysely } from 'kysely';
import type { Database } from '../../db/tables.ts';
import type { Actor } from '../../lib/actor.ts';
import { AppError } from '../../lib/errors.ts';
import type { GuardedFetch } from '../../lib/http/guarded-fetch.ts';
import { recordAudit } from '../audit/audit.service.ts';
import type { ProviderConnection } from '../token-vault/provider-connection.ts';
import type { ConnectionsPort, TokenVault } from '../token-vault/token-vault.service.ts';
import { scimPolicy } from '../token-vault/token-verification.ts';

/**
 * The relay forwards a read-only SCIM request for a relay-mode connection with the caller's
 * own token. What may pass (see README.md):
 *  - paths: /Users, /Groups, /Me, /.search, /Schemas, /ResourceTypes, /ServiceProviderConfig
 *    (+ /ServiceProviderConfigs), optionally followed by one id segment or `.search`;
 *  - methods: GET and HEAD, and POST only to a `.search` path;
 *  - the query string as sent (≤ 8 KiB); request headers Accept, Content-Type, If-None-Match;
 *    never the console cookie or the caller's Authorization header (the vault's token is used).
 */

export const RELAY_LIMITS = Object.freeze({ maxQueryLength: 8192, maxSegmentLength: 256 });

const ROOTS = new Set([
  'users',
  'groups',
  'me',
  '.search',
  'schemas',
  'resourcetypes',
  'serviceproviderconfig',
  'serviceproviderconfigs',
]);
const SEGMENT = /^[A-Za-z0-9._~:@!$'()*+,;=-]+$/;

export interface RelayTarget {
  path: string;
  search: boolean;
}

/** Validates the path after /api/relay/:connectionId (raw, still percent-encoded). */
export function relayPath(rawPath: string, method: string): RelayTarget {
  const invalid = (message: string) =>
    new AppError('URL_NOT_ALLOWED', message, { field: 'path', reason: 'path' });
  if (!rawPath.startsWith('/') || rawPath.includes('//') || rawPath.includes('\\'))
    throw invalid('Not a SCIM path of this connection');
  const segments = rawPath.slice(1).split('/');
  if (segments.length === 0 || segments.length > 2 || segments[0] === '')
    throw invalid('Not a SCIM path of this connection');
  const decoded = segments.map((s) => {
    let value: string;
    try {
      value = decodeURIComponent(s);
    } catch {
      throw invalid('The path is not valid percent-encoding');
    }
    if (
      value === '' ||
      value === '.' ||
      value === '..' ||
      value.length > RELAY_LIMITS.maxSegmentLength ||
      !SEGMENT.test(value)
    ) {
      throw invalid('Not a SCIM path of this connection');
    }
    return value;
  });
  const root = decoded[0]!.toLowerCase();
  if (!ROOTS.has(root))
    throw invalid(
      `The relay forwards SCIM endpoints only (/Users, /Groups, /Me, /.search, discovery), not /${decoded[0]}`,
    );
  if (root === '.search' && decoded.length > 1) throw invalid('Not a SCIM path of this connection');
  const search = decoded[decoded.length - 1] === '.search';
  const upper = method.toUpperCase();
  if (!(upper === 'GET' || upper === 'HEAD' || (upper === 'POST' && search))) {
    throw new AppError(
      'VALIDATION_FAILED',
      'The relay forwards reads only: GET, or POST to a /.search endpoint.',
      { field: 'method' },
    );
  }
  return { path: `/${decoded.map((d) => encodeURIComponent(d)).join('/')}`, search };
}

export interface RelayRequest {
  method: string;
  rawPath: string;
  rawQuery: string;
  headers: {
    accept?: string | undefined;
    contentType?: string | undefined;
    ifNoneMatch?: string | undefined;
  };
  body: Buffer | undefined;
}

function filterOf(query: URLSearchParams, body: Buffer | undefined): string | null {
  const fromQuery = query.get('filter');
  if (fromQuery) return fromQuery;
  if (!body) return null;
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    const filter = (parsed as { filter?: unknown } | null)?.filter;
    return typeof filter === 'string' ? filter : null;
  } catch {
    return null;
  }
}

export function createRelay(deps: {
  db: Kysely<Database>;
  connections: ConnectionsPort;
  vault: TokenVault;
  guardedFetch: GuardedFetch;
  now: () => Date;
}) {
  return async function relay(
    actor: Actor,
    connectionId: string,
    input: RelayRequest,
  ): Promise<Response> {
    const connection: ProviderConnection = await deps.connections.getForUse(actor, connectionId);
    if (connection.executionMode !== 'relay') {
      throw new AppError(
        'CONFLICT',
        'This connection runs in direct mode: the browser calls the provider itself.',
        { field: 'connectionId' },
      );
    }
    const target = relayPath(input.rawPath, input.method);
    if (input.rawQuery.length > RELAY_LIMITS.maxQueryLength)
      throw new AppError('VALIDATION_FAILED', 'The query string is too long for the relay.', {
        field: 'query',
      });
    const query = new URLSearchParams(input.rawQuery);
    const url = `${connection.baseUrl}${target.path}${input.rawQuery ? `?${input.rawQuery}` : ''}`;
    const method = input.method.toUpperCase();
    const started = deps.now().getTime();
    const auditBase = {
      actor,
      connectionId: connection.id,
      request: {
        method,
        path: target.path,
        params: Object.fromEntries(query),
        filter: filterOf(query, input.body),
      },
    } as const;

    let token;
    try {
      token = await deps.vault.tokenForUse(actor, connection);
    } catch (error) {
      if (error instanceof AppError) {
        await recordAudit(deps.db, {
          ...auditBase,
          action: 'relay.request',
          outcome: {
            status: 0,
            durationMs: 0,
            error: { code: error.code, message: error.message },
          },
        });
      }
      throw error;
    }
    const send = (accessToken: string) => {
      const headers: Record<string, string> = {
        authorization: `Bearer ${accessToken}`,
        accept: input.headers.accept ?? 'application/scim+json',
      };
      if (input.body && input.headers.contentType)
        headers['content-type'] = input.headers.contentType;
      if (input.headers.ifNoneMatch) headers['if-none-match'] = input.headers.ifNoneMatch;
      return deps.guardedFetch(
        url,
        { method, headers, body: input.body ?? null, redirect: 'manual' },
        scimPolicy(connection),
      );
    };
    let fingerprint = token.fingerprint;
    let response: Response;
    try {
      response = await send(token.accessToken);
      if (response.status === 401) {
        const fresh = await token.refreshAfter401();
        if (fresh) {
          await response.body?.cancel();
          fingerprint = fresh.fingerprint;
          response = await send(fresh.accessToken);
        }
      }
      // The relay never follows a redirect (it could lead off the connection's base URL), and
      // passing a 3xx on without its Location helps nobody. 304 is an ETag answer, not a redirect.
      if (response.status >= 300 && response.status < 400 && response.status !== 304) {
        await response.body?.cancel();
        throw new AppError(
          'PROVIDER_ERROR',
          `The provider answered with a redirect (${response.status}), which the relay does not follow.`,
          { upstreamStatus: response.status },
        );
      }
    } catch (error) {
      const appError =
        error instanceof AppError
          ? error
          : new AppError('PROVIDER_UNREACHABLE', 'The provider could not be reached.');
      await recordAudit(deps.db, {
        ...auditBase,
        action: 'relay.request',
        token: { fingerprint, version: null },
        outcome: {
          status: 502,
          durationMs: deps.now().getTime() - started,
          error: { code: appError.code, message: appError.message },
        },
      });
      throw appError;
    }
    await recordAudit(deps.db, {
      ...auditBase,
      action: 'relay.request',
      token: { fingerprint, version: null },
      outcome: {
        status: response.status,
        durationMs: deps.now().getTime() - started,
        ...(response.status >= 400
          ? {
              error: {
                code: `HTTP_${response.status}`,
                message: `The provider answered ${response.status}`,
              },
            }
          : {}),
      },
      details: { upstreamStatus: response.status },
    });
    return response;
  };
}
