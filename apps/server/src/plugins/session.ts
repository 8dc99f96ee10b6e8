/**
 * Resolves the session cookie into `request.actor` on every request (undefined when
 * anonymous) and offers the cookie helpers. Cookie: HttpOnly, SameSite=Strict, Path=/,
 * Secure unless PUBLIC_URL is plain http on loopback (where browsers would drop it).
 */
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isHttpLoopback, type Config } from '../config.ts';
import type { Actor } from '../lib/actor.ts';
import { permissionsForRole } from '../modules/rbac/policy.ts';
import { resolveSession, SESSION_COOKIE } from '../modules/auth/session.service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user, or undefined when anonymous. */
    actor: Actor | undefined;
    /** The current session (hash and CSRF token) when signed in. */
    session: { idHash: string; csrfToken: string; csrfHash: string } | undefined;
    /** 'expired' when a session cookie came in but names no live session. */
    sessionState: 'none' | 'expired' | 'active';
  }
}

export function cookieSecure(config: Pick<Config, 'publicUrl'>): boolean {
  return !isHttpLoopback(config.publicUrl);
}

export function setSessionCookie(reply: FastifyReply, config: Config, sessionId: string): void {
  reply.setCookie(SESSION_COOKIE, sessionId, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: cookieSecure(config),
  });
}

export function clearSessionCookie(reply: FastifyReply, config: Config): void {
  reply.clearCookie(SESSION_COOKIE, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: cookieSecure(config),
  });
}

export function clientIp(request: FastifyRequest): string {
  return request.ip || request.socket.remoteAddress || 'unknown';
}

export function userAgentOf(request: FastifyRequest): string {
  const ua = request.headers['user-agent'];
  return (typeof ua === 'string' ? ua : '').slice(0, 512);
}

/** Adds the cookie parser and the session hook to the root instance (not encapsulated). */
export async function registerSession(app: FastifyInstance): Promise<void> {
  await app.register(fastifyCookie, { hook: 'onRequest' });
  app.decorateRequest('actor', undefined);
  app.decorateRequest('session', undefined);
  app.decorateRequest('sessionState', 'none');
  app.addHook('onRequest', async (request, reply) => {
    // Static files and operations endpoints never need a session lookup.
    const access = request.routeOptions.config?.permission;
    if (access === 'public' && !request.url.startsWith('/api/')) return;
    const sessionId = request.cookies[SESSION_COOKIE];
    if (!sessionId) return;
    const lookup = await resolveSession(app.db, app.config, sessionId, app.now());
    if (lookup.state !== 'active') {
      request.sessionState = 'expired';
      clearSessionCookie(reply, app.config);
      return;
    }
    request.sessionState = 'active';
    request.session = {
      idHash: lookup.idHash,
      csrfToken: lookup.csrfToken,
      csrfHash: lookup.csrfHash,
    };
    request.actor = {
      userId: lookup.user.id,
      username: lookup.user.username,
      role: lookup.user.role,
      permissions: permissionsForRole(lookup.user.role),
      sessionId: lookup.idHash,
      ip: clientIp(request),
      userAgent: userAgentOf(request),
      requestId: request.id,
    };
  });
}
