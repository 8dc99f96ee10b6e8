/** GET /api/query-options?connectionId= (docs/api.md "Query options"). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { connectionsPortFor } from '../token-vault/token-vault.module.ts';
import { connectionIdSchema } from '../token-vault/token-vault.routes.ts';
import { discoveryFor } from './query-options.module.ts';
import { buildQueryOptions } from './query-options.service.ts';

export const queryOptionsRoutes: FastifyPluginAsyncZod = async (app) => {
  const connections = connectionsPortFor(app);
  const discovery = discoveryFor(app);

  app.get(
    '/api/query-options',
    {
      config: { permission: 'query:run' },
      schema: { tags: ['query'], querystring: z.object({ connectionId: connectionIdSchema }).strict() },
    },
    async (request, reply) => {
      const connection = await connections.getForUse(request.actor!, request.query.connectionId);
      const model = await discovery.modelFor(request.actor!, connection);
      reply.header('cache-control', 'private, no-cache');
      return buildQueryOptions(connection.id, model);
    },
  );
};
