/**
 * Shared pieces of the cross-cutting security tests: the closed ErrorCode set, the routes of
 * the real app (from `app.routeAccess`, so new routes are covered automatically), and an
 * `inject` with a hard per-request timeout (a hang fails the test instead of stalling it).
 */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { ERROR_CODES } from '../../apps/server/src/lib/errors.ts';

export const ROLES = ['viewer', 'operator', 'auditor', 'admin'] as const;
export type RoleName = (typeof ROLES)[number];

export const ERROR_CODE_SET: ReadonlySet<string> = new Set(ERROR_CODES);

export const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface ApiRoute {
  method: string;
  url: string;
  permission: string;
}

/** Every /api route of the app except HEAD/OPTIONS and the Swagger UI's static files. */
export function apiRoutes(app: FastifyInstance): ApiRoute[] {
  return app.routeAccess
    .filter(
      (r) =>
        r.url.startsWith('/api/') &&
        !r.url.startsWith('/api/docs') &&
        r.method !== 'HEAD' &&
        r.method !== 'OPTIONS',
    )
    .map((r) => ({ method: r.method, url: r.url, permission: r.permission }));
}

/** Fills `:param` and a trailing `*` of a route pattern. */
export function fillUrl(
  url: string,
  params: Record<string, string> = {},
  wildcard = 'Users',
): string {
  return url
    .replace(/:([A-Za-z]+)/g, (_, name: string) => encodeURIComponent(params[name] ?? 'no-such-id'))
    .replace(/\*$/, wildcard);
}

export class HangError extends Error {}

/** app.inject that fails with HangError after `ms`. */
export async function injectWithin(
  inject: (options: InjectOptions) => Promise<LightMyRequestResponse>,
  options: InjectOptions,
  ms = 10_000,
): Promise<LightMyRequestResponse> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      inject(options),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new HangError(`${options.method} ${String(options.url)} did not answer in ${ms} ms`),
            ),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The problem with an error answer, or null when it has the one documented shape. */
export function errorShapeProblem(res: LightMyRequestResponse): string | null {
  if (res.statusCode >= 500) return `status ${res.statusCode}: ${res.body.slice(0, 200)}`;
  if (res.statusCode < 400) return null;
  if (!/^application\/json/.test(String(res.headers['content-type'] ?? '')))
    return `status ${res.statusCode} with content-type ${String(res.headers['content-type'])}`;
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    return `status ${res.statusCode} with a body that is not JSON: ${res.body.slice(0, 100)}`;
  }
  const error = (body as { error?: { code?: unknown; message?: unknown } }).error;
  if (!error || typeof error.code !== 'string' || !ERROR_CODE_SET.has(error.code))
    return `status ${res.statusCode} without a known error.code: ${res.body.slice(0, 200)}`;
  if (typeof error.message !== 'string') return `status ${res.statusCode} without error.message`;
  if (/\n\s+at /.test(res.body)) return `status ${res.statusCode} leaks a stack trace`;
  return null;
}
