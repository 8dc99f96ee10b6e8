/**
 * /api/auth/* and /api/me/*: providers, local login, logout, the current user, preferences.
 * (OIDC start/callback live in oidc.routes.ts.)
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../lib/errors.ts';
import {
  clearSessionCookie,
  clientIp,
  setSessionCookie,
  userAgentOf,
} from '../../plugins/session.ts';
import { findUserById, toUserDto } from '../users/users.repository.ts';
import { userSchema } from '../users/users.schemas.ts';
import {
  loginBody,
  preferencesBody,
  providersResponse,
  sessionProbeResponse,
  sessionResponse,
} from './auth.schemas.ts';
import { loginLocal, logout, type AuthDeps } from './auth.service.ts';

/** Origins allowed to POST the login form: the public URL, plus Vite's dev server in demo. */
export function allowedLoginOrigins(deps: Pick<AuthDeps, 'config'>): Set<string> {
  const origins = new Set([new URL(deps.config.publicUrl).origin]);
  if (deps.config.profile === 'demo') {
    for (const host of ['127.0.0.1', 'localhost']) origins.add(`http://${host}:5173`);
  }
  return origins;
}

/**
 * Login CSRF defence on top of SameSite=Strict: a browser always sends Origin on a
 * cross-origin POST; a wrong one (or Sec-Fetch-Site: cross-site) is refused. Non-browser
 * clients that send neither are allowed (they cannot be tricked by another site).
 */
export function assertSameOriginLogin(request: FastifyRequest, allowed: Set<string>): void {
  const origin = request.headers.origin;
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || (origin !== undefined && !allowed.has(origin))) {
    throw new AppError('CSRF_INVALID', 'Sign-in from another site is not allowed.');
  }
}

export const authRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps: AuthDeps = { db: app.db, config: app.config, now: app.now };
  const loginOrigins = allowedLoginOrigins(deps);

  app.get(
    '/api/auth/providers',
    {
      config: { permission: 'public' },
      schema: { tags: ['auth'], response: { 200: providersResponse } },
    },
    async () => ({
      local: true as const,
      oidc: {
        enabled: app.config.oidc !== null,
        label: app.config.oidc?.label ?? 'Single sign-on',
      },
    }),
  );

  app.post(
    '/api/auth/login',
    {
      config: {
        permission: 'public',
        csrf: false,
        rateLimit: { max: app.config.rateLimit.loginMax, timeWindow: '1 minute' },
      },
      schema: { tags: ['auth'], body: loginBody, response: { 200: sessionResponse } },
    },
    async (request, reply) => {
      assertSameOriginLogin(request, loginOrigins);
      const { user, session } = await loginLocal(deps, request.body, {
        ip: clientIp(request),
        userAgent: userAgentOf(request),
        requestId: request.id,
        previousSessionHash: request.session?.idHash,
      });
      setSessionCookie(reply, app.config, session.sessionId);
      reply.header('cache-control', 'no-store');
      return { user: toUserDto(user), csrfToken: session.csrfToken };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      config: { permission: 'authenticated' },
      schema: { tags: ['auth'], response: { 204: z.undefined() } },
    },
    async (request, reply) => {
      await logout(deps, request.actor!);
      clearSessionCookie(reply, app.config);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/auth/me',
    {
      config: { permission: 'authenticated' },
      schema: { tags: ['auth'], response: { 200: sessionResponse } },
    },
    async (request, reply) => {
      const user = await findUserById(app.db, request.actor!.userId);
      if (!user) throw new AppError('SESSION_EXPIRED', 'Your session has ended. Sign in again.');
      reply.header('cache-control', 'no-store');
      return { user: toUserDto(user), csrfToken: request.session!.csrfToken };
    },
  );

  // Browsers log every 4xx as a console error, so the app's start-up check must not be
  // one: this probe answers 200 with `user: null` for anonymous and expired sessions.
  app.get(
    '/api/auth/session',
    {
      config: { permission: 'public' },
      schema: { tags: ['auth'], response: { 200: sessionProbeResponse } },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const user = request.actor ? await findUserById(app.db, request.actor.userId) : undefined;
      if (!user || !request.session) {
        return {
          user: null,
          csrfToken: null,
          state: request.sessionState === 'expired' ? ('expired' as const) : ('none' as const),
        };
      }
      return {
        user: toUserDto(user),
        csrfToken: request.session.csrfToken,
        state: 'active' as const,
      };
    },
  );

  app.put(
    '/api/me/preferences',
    {
      config: { permission: 'authenticated' },
      schema: { tags: ['auth'], body: preferencesBody, response: { 200: userSchema } },
    },
    async (request) => {
      const actor = request.actor!;
      await app.db
        .updateTable('users')
        .set({ theme: request.body.theme, updated_at: app.now().toISOString() })
        .where('id', '=', actor.userId)
        .execute();
      const user = await findUserById(app.db, actor.userId);
      if (!user) throw new AppError('SESSION_EXPIRED', 'Your session has ended. Sign in again.');
      return toUserDto(user);
    },
  );
};
