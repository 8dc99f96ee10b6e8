/**
 * Saved queries (docs/api.md "Saved queries and history"): a name and a POST /api/scim-query
 * body, per user. Only the owner lists or deletes them; someone else's id answers 404.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../lib/errors.ts';
import { randomId } from '../token-vault/token-vault.service.ts';
import { assertJsonDepth } from '../scim-query/condition-tree.ts';
import { scimQueryBody } from '../scim-query/scim-query.routes.ts';

export const SAVED_QUERY_LIMITS = Object.freeze({ maxPerUser: 200, maxNameLength: 100 });

const savedQuerySchema = z.object({
  id: z.string(),
  name: z.string(),
  input: scimQueryBody,
  createdAt: z.string(),
});

export const savedQueriesRoutes: FastifyPluginAsyncZod = async (app) => {
  const toDto = (row: { id: string; name: string; input: string; created_at: string }) => ({
    id: row.id,
    name: row.name,
    input: JSON.parse(row.input) as z.infer<typeof scimQueryBody>,
    createdAt: row.created_at,
  });

  app.get(
    '/api/saved-queries',
    {
      config: { permission: 'query:run' },
      schema: {
        tags: ['query'],
        response: { 200: z.object({ queries: z.array(savedQuerySchema) }) },
      },
    },
    async (request) => {
      const rows = await app.db
        .selectFrom('saved_queries')
        .select(['id', 'name', 'input', 'created_at'])
        .where('user_id', '=', request.actor!.userId)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .execute();
      return { queries: rows.map(toDto) };
    },
  );

  app.post(
    '/api/saved-queries',
    {
      config: { permission: 'query:run' },
      preValidation: async (request) =>
        assertJsonDepth((request.body as { input?: unknown } | null)?.input, 'body.input'),
      schema: {
        tags: ['query'],
        body: z
          .object({
            name: z.string().trim().min(1).max(SAVED_QUERY_LIMITS.maxNameLength),
            input: scimQueryBody,
          })
          .strict(),
        response: { 201: savedQuerySchema },
      },
    },
    async (request, reply) => {
      const actor = request.actor!;
      const { name, input } = request.body;
      const now = app.now().toISOString();
      const row = {
        id: randomId(),
        user_id: actor.userId,
        name,
        input: JSON.stringify(input),
        created_at: now,
        updated_at: now,
      };
      await app.db.transaction().execute(async (trx) => {
        const existing = await trx
          .selectFrom('saved_queries')
          .select(['name'])
          .where('user_id', '=', actor.userId)
          .execute();
        if (existing.some((e) => e.name === name))
          throw new AppError('CONFLICT', `You already have a saved query named "${name}".`, {
            field: 'body.name',
          });
        if (existing.length >= SAVED_QUERY_LIMITS.maxPerUser) {
          throw new AppError(
            'CONFLICT',
            `At most ${SAVED_QUERY_LIMITS.maxPerUser} saved queries per user; delete some first.`,
            { field: 'body.name' },
          );
        }
        await trx.insertInto('saved_queries').values(row).execute();
      });
      return reply.code(201).send(toDto(row));
    },
  );

  app.delete(
    '/api/saved-queries/:id',
    {
      config: { permission: 'query:run' },
      schema: {
        tags: ['query'],
        params: z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }),
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      const result = await app.db
        .deleteFrom('saved_queries')
        .where('id', '=', request.params.id)
        .where('user_id', '=', request.actor!.userId)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0)
        throw new AppError('NOT_FOUND', 'No such saved query.');
      return reply.code(204).send();
    },
  );
};
