/** /healthz (process up), /readyz (database reachable), /metrics (Prometheus). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../lib/errors.ts';

export const opsRoutes: FastifyPluginAsyncZod = async (app) => {
  const common = { config: { permission: 'public' as const, rateLimit: false as const } };

  app.get(
    '/healthz',
    {
      ...common,
      schema: { tags: ['ops'], response: { 200: z.object({ status: z.literal('ok') }) } },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return { status: 'ok' as const };
    },
  );

  app.get(
    '/readyz',
    {
      ...common,
      schema: {
        tags: ['ops'],
        response: {
          200: z.object({ status: z.literal('ready'), database: z.enum(['sqlite', 'postgres']) }),
        },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      try {
        await app.dbHandle.ping();
      } catch (error) {
        request.log.warn({ err: error }, 'readiness: database unreachable');
        throw new AppError('DATABASE_UNAVAILABLE', 'The database is not reachable.');
      }
      return { status: 'ready' as const, database: app.dbHandle.dialect };
    },
  );

  app.get(
    '/metrics',
    { ...common, schema: { tags: ['ops'], hide: true } },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store').type(app.metrics.contentType);
      return app.metrics.metrics();
    },
  );
};
