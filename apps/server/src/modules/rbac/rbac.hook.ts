/**
 * The global permission check. Every route declares `config.permission`
 * ('public' | 'authenticated' | a Permission); a route without one is refused at start-up
 * (onRoute) so nothing can be exposed by forgetting it. Anonymous → 401, not allowed → 403
 * FORBIDDEN plus a `permission.denied` audit event (via `onDenied`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor, Permission } from '../../lib/actor.ts';
import { AppError } from '../../lib/errors.ts';
import { can, isRouteAccess, type RouteAccess } from './policy.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with what it requires (the route × role surface, for tests and review). */
    routeAccess: ReadonlyArray<{ method: string; url: string; permission: RouteAccess }>;
  }
  interface FastifyContextConfig {
    /** Who may call this route. Required on every route. */
    permission?: RouteAccess;
    /** Set to false only on routes that are protected otherwise (login: Origin check). */
    csrf?: boolean;
  }
}

export type PermissionDeniedHandler = (
  request: FastifyRequest,
  actor: Actor,
  permission: Permission,
) => Promise<void>;

/** Routes added by third-party plugins (the OpenAPI UI) that are public by nature. */
export const PUBLIC_PLUGIN_PREFIXES = ['/api/docs'] as const;

export function registerPermissionHook(
  app: FastifyInstance,
  options: { onDenied?: PermissionDeniedHandler } = {},
): void {
  const routeAccess: Array<{ method: string; url: string; permission: RouteAccess }> = [];
  app.decorate('routeAccess', routeAccess);
  app.addHook('onRoute', (route) => {
    const config = route.config as { permission?: unknown } | undefined;
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).map(String);
    if (
      config?.permission === undefined &&
      PUBLIC_PLUGIN_PREFIXES.some((p) => route.url === p || route.url.startsWith(`${p}/`))
    ) {
      route.config = { ...(route.config ?? {}), permission: 'public' };
      for (const method of methods)
        routeAccess.push({ method, url: route.url, permission: 'public' });
      return;
    }
    const access = config?.permission;
    if (!isRouteAccess(access)) {
      throw new Error(
        `Route ${methods.join(',')} ${route.url} must declare config.permission ('public', 'authenticated' or a permission)`,
      );
    }
    for (const method of methods) routeAccess.push({ method, url: route.url, permission: access });
  });
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config?.permission;
    // No matched route (404 handler) or a public route: nothing to enforce here.
    if (access === undefined || access === 'public') return;
    const actor = request.actor;
    if (!actor) {
      throw request.sessionState === 'expired'
        ? new AppError('SESSION_EXPIRED', 'Your session has ended. Sign in again.')
        : new AppError('UNAUTHENTICATED', 'Sign in first.');
    }
    if (access === 'authenticated' || can(actor, access)) return;
    await options.onDenied?.(request, actor, access);
    throw new AppError('FORBIDDEN', `Your role (${actor.role}) does not allow this (${access}).`, {
      permission: access,
    });
  });
}
