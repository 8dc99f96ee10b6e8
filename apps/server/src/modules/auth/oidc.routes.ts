/**
 * GET /api/auth/oidc/start?returnTo=/path → 302 to the identity provider.
 * GET /api/auth/oidc/callback → 302 to returnTo (signed in) or /login?error=CODE.
 * Both are GETs reached by top-level navigation, so the binding cookie is SameSite=Lax
 * (a Strict cookie would not come back from the IdP's cross-site redirect).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Actor } from '../../lib/actor.ts';
import { guardedFetchFor } from '../../lib/http/shared.ts';
import { clientIp, cookieSecure, setSessionCookie, userAgentOf } from '../../plugins/session.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { returnToSchema } from './auth.schemas.ts';
import { openSession, type AuthDeps } from './auth.service.ts';
import {
  finishOidcLogin,
  OIDC_BINDING_COOKIE,
  OIDC_STATE_TTL_MS,
  OidcLoginError,
  startOidcLogin,
  type OidcDeps,
  type SsoTokenSet,
} from './oidc.service.ts';

export interface OidcRoutesOptions {
  /** Called after a successful SSO sign-in with the login's token set (the token vault stores it for `login` connections). */
  onSsoLogin?: (actor: Actor, tokens: SsoTokenSet) => Promise<unknown>;
}

export const oidcRoutes: FastifyPluginAsyncZod<OidcRoutesOptions> = async (app, options) => {
  const deps: OidcDeps = {
    db: app.db,
    config: app.config,
    now: app.now,
    guardedFetch: guardedFetchFor(app.config, app.log),
    log: app.log,
  };
  const authDeps: AuthDeps = { db: app.db, config: app.config, now: app.now };
  const bindingCookie = {
    path: '/api/auth/oidc',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: cookieSecure(app.config),
  };

  app.get(
    '/api/auth/oidc/start',
    {
      config: {
        permission: 'public',
        rateLimit: { max: app.config.rateLimit.loginMax, timeWindow: '1 minute' },
      },
      schema: {
        tags: ['auth'],
        querystring: z.object({ returnTo: returnToSchema.optional() }),
        response: { 302: z.undefined() },
      },
    },
    async (request, reply) => {
      const { url, binding } = await startOidcLogin(deps, request.query.returnTo ?? '/');
      reply.setCookie(OIDC_BINDING_COOKIE, binding, {
        ...bindingCookie,
        maxAge: OIDC_STATE_TTL_MS / 1000,
      });
      reply.header('cache-control', 'no-store');
      return reply.redirect(url, 302);
    },
  );

  app.get(
    '/api/auth/oidc/callback',
    {
      config: {
        permission: 'public',
        rateLimit: { max: app.config.rateLimit.loginMax, timeWindow: '1 minute' },
      },
      schema: {
        tags: ['auth'],
        querystring: z.record(z.string(), z.string().max(4096)),
        response: { 302: z.undefined() },
      },
    },
    async (request, reply) => {
      const ctx = { ip: clientIp(request), userAgent: userAgentOf(request), requestId: request.id };
      reply.clearCookie(OIDC_BINDING_COOKIE, bindingCookie);
      reply.header('cache-control', 'no-store');
      const q = request.url.indexOf('?');
      try {
        const result = await finishOidcLogin(deps, {
          query: request.query,
          rawQuery: q >= 0 ? request.url.slice(q + 1) : '',
          binding: request.cookies[OIDC_BINDING_COOKIE],
        });
        const { session, actor } = await openSession(authDeps, result.user, 'oidc', {
          ...ctx,
          previousSessionHash: request.session?.idHash,
        });
        setSessionCookie(reply, app.config, session.sessionId);
        if (options.onSsoLogin) {
          // The sign-in stands even if storing the login token fails; the token page shows it as missing.
          await options.onSsoLogin(actor, result.tokens).catch((error: unknown) => {
            request.log.warn(
              { err: { message: (error as Error).message } },
              'could not store the SSO token set',
            );
          });
        }
        return reply.redirect(result.returnTo, 302);
      } catch (error) {
        const failure =
          error instanceof OidcLoginError
            ? error
            : new OidcLoginError(
                'PROVIDER_ERROR',
                'Sign-in failed.',
                (error as Error).message?.slice(0, 200) ?? 'error',
              );
        if (!(error instanceof OidcLoginError))
          request.log.error({ err: error }, 'OIDC callback failed');
        await recordAudit(app.db, {
          action: 'auth.login_failed',
          actor: null,
          ...ctx,
          outcome: { status: 302, error: { code: failure.code, message: failure.message } },
          details: { method: 'oidc', reason: failure.reason },
        });
        return reply.redirect(`/login?error=${encodeURIComponent(failure.code)}`, 302);
      }
    },
  );
};
