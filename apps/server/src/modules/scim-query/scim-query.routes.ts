/**
 * POST /api/scim-query (input → pre-constructed SCIM request) and
 * POST /api/logs/:queryId/outcome (the owner reports what happened, once).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { discoveryFor } from '../query-options/query-options.module.ts';
import { connectionsPortFor } from '../token-vault/token-vault.module.ts';
import { connectionIdSchema } from '../token-vault/token-vault.routes.ts';
import { assertJsonDepth, conditionGroupSchema } from './condition-tree.ts';
import { PRESET_LIMITS } from './presets.ts';
import { createScimQueryService, QUERY_LIMITS } from './scim-query.service.ts';

const pathText = z.string().max(QUERY_LIMITS.maxPathLength);

export const scimQueryBody = z
  .object({
    connectionId: connectionIdSchema,
    resourceType: z.string().min(1).max(QUERY_LIMITS.maxResourceTypeLength),
    filter: z.string().max(QUERY_LIMITS.maxFilterLength).optional(),
    where: conditionGroupSchema.optional(),
    preset: z
      .object({
        id: z.string().min(1).max(64),
        params: z
          .record(z.string().max(64), z.string().max(PRESET_LIMITS.maxParamLength))
          .optional(),
      })
      .strict()
      .optional(),
    attributes: z.array(pathText).max(QUERY_LIMITS.maxAttributes).optional(),
    excludedAttributes: z.array(pathText).max(QUERY_LIMITS.maxAttributes).optional(),
    sortBy: pathText.optional(),
    sortOrder: z.enum(['ascending', 'descending']).optional(),
    startIndex: z.number().int().min(1).max(QUERY_LIMITS.maxStartIndex).optional(),
    count: z.number().int().min(0).max(100_000).optional(),
    cursor: z.string().max(QUERY_LIMITS.maxCursorLength).optional(),
    method: z.enum(['auto', 'GET', 'POST']).optional(),
  })
  .strict();

const outcomeBody = z
  .object({
    status: z.number().int().min(0).max(999),
    resultCount: z.number().int().min(0).max(100_000_000).optional(),
    totalResults: z.number().int().min(0).max(100_000_000).optional(),
    pages: z.number().int().min(0).max(1_000_000).optional(),
    durationMs: z.number().int().min(0).max(86_400_000),
    error: z
      .object({ code: z.string().min(1).max(64), message: z.string().max(1000) })
      .strict()
      .optional(),
  })
  .strict();

const generatedQuerySchema = z.object({
  queryId: z.string(),
  connectionId: z.string(),
  resourceType: z.string(),
  method: z.enum(['GET', 'POST']),
  url: z.string(),
  path: z.string(),
  params: z.record(z.string(), z.string()),
  body: z.record(z.string(), z.unknown()).nullable(),
  filter: z.string().nullable(),
  ast: z.unknown(),
  warnings: z.array(
    z.object({ code: z.string(), message: z.string(), path: z.string().optional() }),
  ),
  execution: z.object({
    mode: z.enum(['direct', 'relay']),
    baseUrl: z.string(),
    relayUrl: z.string().nullable(),
    headers: z.record(z.string(), z.string()),
  }),
});

export const scimQueryRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = createScimQueryService({
    db: app.db,
    connections: connectionsPortFor(app),
    discovery: discoveryFor(app),
    now: app.now,
    redactFilterValues: app.config.auditRedactFilterValues,
  });

  app.post(
    '/api/scim-query',
    {
      config: { permission: 'query:run' },
      schema: { tags: ['query'], body: scimQueryBody, response: { 200: generatedQuerySchema } },
      preValidation: async (request) =>
        assertJsonDepth((request.body as { where?: unknown } | null)?.where, 'body.where'),
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return service.generate(request.actor!, request.body);
    },
  );

  app.post(
    '/api/logs/:queryId/outcome',
    {
      config: { permission: 'query:run' },
      schema: {
        tags: ['query'],
        params: z.object({
          queryId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a query id'),
        }),
        body: outcomeBody,
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      await service.reportOutcome(request.actor!, request.params.queryId, request.body);
      return reply.code(204).send();
    },
  );
};
