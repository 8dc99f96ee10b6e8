/**
 * /api/token/*: the caller's own SCIM credential per connection (docs/api.md "Per-user SCIM token").
 * Every handler works on `request.actor.userId` only — no input names a user — so one user's
 * token can never be returned to another, whatever the input.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { vaultFor } from './token-vault.module.ts';

export const connectionIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a connection id (letters, digits, - and _; at most 64)');

export const tokenStatusSchema = z.object({
  connectionId: z.string(),
  state: z.enum(['valid', 'expiring', 'expired', 'revoked', 'invalid', 'missing']),
  kind: z.enum(['static', 'oauth2', 'login']),
  expiresAt: z.string().nullable(),
  scopes: z.array(z.string()),
  subject: z.object({ id: z.string().nullable(), userName: z.string().nullable() }).nullable(),
  fingerprint: z.string().nullable(),
  lastRefreshAt: z.string().nullable(),
  lastVerifiedAt: z.string().nullable(),
  message: z.string().nullable(),
});

const accessTokenSchema = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresAt: z.string().nullable(),
  fingerprint: z.string(),
});

const connectionQuery = z.object({ connectionId: connectionIdSchema }).strict();

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const tokenVaultRoutes: FastifyPluginAsyncZod = async (app) => {
  const vault = vaultFor(app);
  const basePath = new URL(app.config.publicUrl).pathname.replace(/\/+$/, '');

  app.get(
    '/api/token',
    {
      config: { permission: 'token:own' },
      schema: {
        tags: ['token'],
        querystring: connectionQuery,
        response: { 200: accessTokenSchema },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      reply.header('pragma', 'no-cache');
      return vault.getAccessToken(request.actor!, request.query.connectionId);
    },
  );

  app.get(
    '/api/token/status',
    {
      config: { permission: 'token:own' },
      schema: {
        tags: ['token'],
        querystring: z.object({ connectionId: connectionIdSchema.optional() }).strict(),
        response: {
          200: z.union([tokenStatusSchema, z.object({ statuses: z.array(tokenStatusSchema) })]),
        },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const { connectionId } = request.query;
      if (connectionId) return vault.status(request.actor!, connectionId);
      return { statuses: await vault.statuses(request.actor!) };
    },
  );

  app.put(
    '/api/token',
    {
      config: { permission: 'token:own' },
      schema: {
        tags: ['token'],
        body: z
          .object({ connectionId: connectionIdSchema, token: z.string().min(1).max(8192) })
          .strict(),
        response: { 200: tokenStatusSchema },
      },
    },
    async (request) =>
      vault.linkStatic(request.actor!, request.body.connectionId, request.body.token),
  );

  app.delete(
    '/api/token',
    {
      config: { permission: 'token:own' },
      schema: { tags: ['token'], querystring: connectionQuery, response: { 204: z.undefined() } },
    },
    async (request, reply) => {
      await vault.unlink(request.actor!, request.query.connectionId);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/token/refresh',
    {
      config: { permission: 'token:own' },
      schema: {
        tags: ['token'],
        body: z
          .object({
            connectionId: connectionIdSchema,
            /** The fingerprint of the token the provider just refused (401): the answer is then always a different token. */
            rejectedFingerprint: z.string().max(64).optional(),
          })
          .strict(),
        response: { 200: accessTokenSchema.extend({ status: tokenStatusSchema }) },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return vault.refresh(
        request.actor!,
        request.body.connectionId,
        request.body.rejectedFingerprint,
      );
    },
  );

  app.get(
    '/api/token/oauth/start',
    {
      config: { permission: 'token:own' },
      schema: {
        tags: ['token'],
        querystring: z
          .object({ connectionId: connectionIdSchema, returnTo: z.string().max(512).optional() })
          .strict(),
      },
    },
    async (request, reply) => {
      const location = await vault.startOAuth(
        request.actor!,
        request.query.connectionId,
        request.query.returnTo,
      );
      reply.header('cache-control', 'no-store');
      return reply.redirect(location, 302);
    },
  );

  // Public at the routing level: the provider's redirect is a cross-site navigation, so the
  // SameSite=Strict session cookie is missing on the first hop. The service binds the state to
  // the user and session and answers "needs-session" until the cookie is there.
  app.get(
    '/api/token/oauth/callback',
    {
      config: { permission: 'public' },
      schema: { tags: ['token'], querystring: z.record(z.string().max(64), z.string().max(4096)) },
    },
    async (request, reply) => {
      const query = request.query as Record<string, string>;
      reply.header('cache-control', 'no-store');
      reply.header('referrer-policy', 'no-referrer');
      const result = await vault.completeOAuth(request.actor, query, query['_r'] === '1');
      if (result.kind === 'redirect') return reply.redirect(`${basePath}${result.location}`, 302);
      // One same-site hop (a meta refresh from our own origin) brings the Strict cookie along.
      const params = new URLSearchParams({ ...query, _r: '1' });
      const next = `${basePath}/api/token/oauth/callback?${params.toString()}`;
      return reply
        .code(200)
        .type('text/html; charset=utf-8')
        .send(
          `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${escapeHtml(next)}"><title>Linking your token…</title></head><body><p>Linking your token… <a href="${escapeHtml(next)}">Continue</a></p></body></html>`,
        );
    },
  );
};
