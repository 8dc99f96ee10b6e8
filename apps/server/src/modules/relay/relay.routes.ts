/** ANY /api/relay/:connectionId/<SCIM path> — relay-mode connections (see relay.service.ts). */
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../lib/errors.ts';
import { guardedFetchFor } from '../../lib/http/shared.ts';
import { connectionsPortFor, vaultFor } from '../token-vault/token-vault.module.ts';
import { connectionIdSchema } from '../token-vault/token-vault.routes.ts';
import { createRelay } from './relay.service.ts';

const PASSED_RESPONSE_HEADERS = ['content-type', 'etag', 'retry-after', 'last-modified'];
const BODY_TYPES = /^application\/(scim\+)?json\s*(;|$)/i;

export const relayRoutes: FastifyPluginAsyncZod = async (app) => {
  const relay = createRelay({
    db: app.db,
    connections: connectionsPortFor(app),
    vault: vaultFor(app),
    guardedFetch: guardedFetchFor(app.config, app.log),
    now: app.now,
  });

  // Bodies are forwarded byte for byte (this plugin's scope only).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: 1_048_576 },
    (_request, body, done) => done(null, body),
  );

  app.route({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/api/relay/:connectionId/*',
    config: { permission: 'query:run' },
    schema: {
      tags: ['relay'],
      params: z.object({ connectionId: connectionIdSchema, '*': z.string() }),
    },
    handler: async (request, reply) => {
      const { connectionId } = request.params as { connectionId: string };
      const raw = request.url;
      const q = raw.indexOf('?');
      const pathPart = q >= 0 ? raw.slice(0, q) : raw;
      const prefix = `/api/relay/${connectionId}`;
      if (!pathPart.startsWith(`${prefix}/`))
        throw new AppError('URL_NOT_ALLOWED', 'Not a SCIM path of this connection', {
          field: 'path',
        });
      const contentType = request.headers['content-type'];
      const body =
        Buffer.isBuffer(request.body) && request.body.length > 0 ? request.body : undefined;
      if (body && (!contentType || !BODY_TYPES.test(contentType))) {
        throw new AppError(
          'VALIDATION_FAILED',
          'The relay forwards JSON bodies only (application/scim+json).',
          { field: 'headers.content-type' },
        );
      }
      const response = await relay(request.actor!, connectionId, {
        method: request.method,
        rawPath: pathPart.slice(prefix.length),
        rawQuery: q >= 0 ? raw.slice(q + 1) : '',
        headers: {
          accept: typeof request.headers.accept === 'string' ? request.headers.accept : undefined,
          contentType,
          ifNoneMatch:
            typeof request.headers['if-none-match'] === 'string'
              ? request.headers['if-none-match']
              : undefined,
        },
        body,
      });
      reply.code(response.status);
      for (const name of PASSED_RESPONSE_HEADERS) {
        const value = response.headers.get(name);
        if (value !== null) reply.header(name, value);
      }
      reply.header('cache-control', 'no-store');
      if (!response.body || request.method === 'HEAD') return reply.send();
      return reply.send(Readable.fromWeb(response.body as unknown as NodeReadableStream));
    },
  });
};
