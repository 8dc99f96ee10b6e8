/** /api/connections — SCIM service providers. Reads: granted connections; writes: admin:manage. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { keyRingFor } from '../../lib/crypto/index.ts';
import { guardedFetchFor } from '../../lib/http/shared.ts';
import { vaultFor } from '../token-vault/token-vault.module.ts';
import {
  connectionIdParams,
  connectionSchema,
  createConnectionBody,
  patchConnectionBody,
  testConnectionResponse,
} from './connections.schemas.ts';
import {
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  patchConnection,
  type ConnectionsDeps,
} from './connections.service.ts';
import { testConnection } from './connections.test-connection.ts';

export const connectionsRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps: ConnectionsDeps = {
    db: app.db,
    config: app.config,
    keyRing: keyRingFor(app.config.encryption),
    now: app.now,
  };
  const guardedFetch = guardedFetchFor(app.config, app.log);
  const admin = { permission: 'admin:manage' as const };
  const tags = ['connections'];

  app.get(
    '/api/connections',
    {
      config: { permission: 'authenticated' },
      schema: { tags, response: { 200: z.object({ connections: z.array(connectionSchema) }) } },
    },
    async (request) => ({ connections: await listConnections(deps, request.actor!) }),
  );

  app.get(
    '/api/connections/:id',
    {
      config: { permission: 'authenticated' },
      schema: { tags, params: connectionIdParams, response: { 200: connectionSchema } },
    },
    async (request) => getConnection(deps, request.actor!, request.params.id),
  );

  app.post(
    '/api/connections',
    {
      config: admin,
      schema: { tags, body: createConnectionBody, response: { 201: connectionSchema } },
    },
    async (request, reply) =>
      reply.code(201).send(await createConnection(deps, request.actor!, request.body)),
  );

  app.patch(
    '/api/connections/:id',
    {
      config: admin,
      schema: {
        tags,
        params: connectionIdParams,
        body: patchConnectionBody,
        response: { 200: connectionSchema },
      },
    },
    async (request) => patchConnection(deps, request.actor!, request.params.id, request.body),
  );

  app.delete(
    '/api/connections/:id',
    {
      config: admin,
      schema: { tags, params: connectionIdParams, response: { 204: z.undefined() } },
    },
    async (request, reply) => {
      await deleteConnection(deps, request.actor!, request.params.id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/connections/:id/test',
    {
      config: admin,
      schema: { tags, params: connectionIdParams, response: { 200: testConnectionResponse } },
    },
    async (request) => {
      const actor = request.actor!;
      await getConnection(deps, actor, request.params.id); // 404 before anything goes out
      // The admin's own linked token, when there is one; the test works without it too.
      const token = await vaultFor(app)
        .getAccessToken(actor, request.params.id)
        .then((t) => t.accessToken)
        .catch(() => null);
      return testConnection(deps.db, guardedFetch, request.params.id, token);
    },
  );
};
