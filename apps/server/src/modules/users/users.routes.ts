/** /api/users — users and roles (admin:manage). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createUserBody, updateUserBody, userIdParams, userSchema } from './users.schemas.ts';
import {
  createUser,
  deleteUser,
  listAllUsers,
  patchUser,
  type UsersDeps,
} from './users.service.ts';

export const usersRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps: UsersDeps = { db: app.db, now: app.now };
  const admin = { permission: 'admin:manage' as const };

  app.get(
    '/api/users',
    {
      config: admin,
      schema: { tags: ['users'], response: { 200: z.object({ users: z.array(userSchema) }) } },
    },
    async (request) => ({
      users: await listAllUsers(deps, request.actor!),
    }),
  );

  app.post(
    '/api/users',
    {
      config: admin,
      schema: { tags: ['users'], body: createUserBody, response: { 201: userSchema } },
    },
    async (request, reply) =>
      reply.code(201).send(await createUser(deps, request.actor!, request.body)),
  );

  app.patch(
    '/api/users/:id',
    {
      config: admin,
      schema: {
        tags: ['users'],
        params: userIdParams,
        body: updateUserBody,
        response: { 200: userSchema },
      },
    },
    async (request) => patchUser(deps, request.actor!, request.params.id, request.body),
  );

  app.delete(
    '/api/users/:id',
    {
      config: admin,
      schema: { tags: ['users'], params: userIdParams, response: { 204: z.undefined() } },
    },
    async (request, reply) => {
      await deleteUser(deps, request.actor!, request.params.id);
      return reply.code(204).send();
    },
  );
};
