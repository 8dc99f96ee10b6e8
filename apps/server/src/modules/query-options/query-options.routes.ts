/** GET /api/query-options?connectionId= (docs/api.md "Query options"). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { connectionsPortFor } from '../token-vault/token-vault.module.ts';
import { connectionIdSchema } from '../token-vault/token-vault.routes.ts';
import { discoveryFor } from './query-options.module.ts';
import { buildQueryOptions } from './query-options.service.ts';

const operator = z.enum(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr']);
interface AttributeOut {
  path: string;
  label: string;
  schema: string;
  type: string;
  multiValued: boolean;
  caseExact: boolean;
  returned: string;
  mutability: string;
  canonicalValues: string[] | null;
  description: string | null;
  operators: z.infer<typeof operator>[];
  subAttributes: AttributeOut[] | null;
}
const attributeSchema: z.ZodType<AttributeOut> = z.lazy(() =>
  z.object({
    path: z.string(),
    label: z.string(),
    schema: z.string(),
    type: z.string(),
    multiValued: z.boolean(),
    caseExact: z.boolean(),
    returned: z.string(),
    mutability: z.string(),
    canonicalValues: z.array(z.string()).nullable(),
    description: z.string().nullable(),
    operators: z.array(operator),
    subAttributes: z.array(attributeSchema).nullable(),
  }),
);
const queryOptionsSchema = z.object({
  connectionId: z.string(),
  vendor: z.record(z.string(), z.unknown()),
  source: z.enum(['discovered', 'defaults']),
  discoveryError: z.string().nullable(),
  capabilities: z.object({
    filter: z.boolean(),
    maxResults: z.number().nullable(),
    sort: z.boolean(),
    etag: z.boolean(),
    search: z.boolean(),
    indexPaging: z.boolean(),
    cursorPaging: z.boolean(),
    maxPageSize: z.number(),
  }),
  resourceTypes: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      endpoint: z.string(),
      schema: z.string(),
      schemaExtensions: z.array(z.object({ schema: z.string(), required: z.boolean() })),
      attributes: z.array(attributeSchema),
    }),
  ),
  presets: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      description: z.string(),
      resourceType: z.string(),
      parameters: z.array(
        z.object({
          name: z.string(),
          label: z.string(),
          type: z.enum(['string', 'dateTime', 'group', 'department']),
          required: z.boolean(),
        }),
      ),
    }),
  ),
});

export const queryOptionsRoutes: FastifyPluginAsyncZod = async (app) => {
  const connections = connectionsPortFor(app);
  const discovery = discoveryFor(app);

  app.get(
    '/api/query-options',
    {
      config: { permission: 'query:run' },
      schema: {
        tags: ['query'],
        querystring: z.object({ connectionId: connectionIdSchema }).strict(),
        response: { 200: queryOptionsSchema },
      },
    },
    async (request, reply) => {
      const connection = await connections.getForUse(request.actor!, request.query.connectionId);
      const model = await discovery.modelFor(request.actor!, connection);
      reply.header('cache-control', 'private, no-cache');
      const options = buildQueryOptions(connection.id, model);
      return { ...options, vendor: { ...options.vendor } };
    },
  );
};
