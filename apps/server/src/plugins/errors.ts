/**
 * One error shape everywhere: `{ error: { code, message, details? } }`.
 * AppError → its code's status; zod request validation → 400 VALIDATION_FAILED with
 * `details.field` ("body.sortBy"); Fastify's own client errors → closest code; a lost database
 * → 503 DATABASE_UNAVAILABLE; anything else → 500 INTERNAL with no internals in the body.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
} from 'fastify-type-provider-zod';
import { AppError, ERROR_STATUS, type ErrorCode } from '../lib/errors.ts';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

const DB_UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'SQLITE_BUSY',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  '57P01', // admin_shutdown
  '57P02',
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08000',
  '08001',
  '08003',
  '08006',
]);

/** True for errors that mean "the database cannot be reached right now". */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && DB_UNAVAILABLE_CODES.has(code)) return true;
  const message = (error as { message?: unknown }).message;
  return (
    typeof message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect|database is locked|driver has already been destroyed|Cannot use a pool after calling end/i.test(
      message,
    )
  );
}

export function sendError(
  reply: FastifyReply,
  code: ErrorCode,
  message: string,
  details?: Record<string, unknown>,
): FastifyReply {
  const body: ErrorBody = {
    error: { code, message, ...(details && Object.keys(details).length > 0 ? { details } : {}) },
  };
  if (code === 'RATE_LIMITED' && typeof details?.retryAfter === 'number')
    reply.header('retry-after', String(details.retryAfter));
  // The schema-driven serializer is for success bodies; errors are plain JSON of a fixed shape.
  return reply
    .code(ERROR_STATUS[code])
    .type('application/json; charset=utf-8')
    .serializer(JSON.stringify)
    .send(body);
}

function fieldOf(context: string | undefined, instancePath: string): string {
  const path = instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
  const prefix = context ?? 'body';
  return path ? `${prefix}.${path}` : prefix;
}

function sendNoRoute(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(reply, 'NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`);
}

export function toErrorReply(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  // Fastify parses the body even when no route matched; a request to a path that does not
  // exist is a 404 whatever its body holds (e.g. a JSON body refused for __proto__). Router
  // refusals (over-long or badly encoded paths) keep their own answer below.
  const code = (error as { code?: unknown } | null)?.code;
  if (request.is404 && typeof code === 'string' && code.startsWith('FST_ERR_CTP_'))
    return sendNoRoute(request, reply);
  if (error instanceof AppError) {
    if (error.statusCode >= 500)
      request.log.warn({ err: { code: error.code, message: error.message } }, 'request failed');
    return sendError(reply, error.code, error.message, error.details);
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = (error as { validationContext?: string }).validationContext;
    const issues = error.validation.map((issue) => ({
      field: fieldOf(context, issue.instancePath),
      message: issue.message ?? 'invalid',
    }));
    const first = issues[0]!;
    return sendError(reply, 'VALIDATION_FAILED', `${first.field}: ${first.message}`, {
      field: first.field,
      issues,
    });
  }
  const fastifyError = error as Partial<FastifyError> & { validationContext?: string };
  if (Array.isArray(fastifyError.validation)) {
    const field = fieldOf(
      fastifyError.validationContext,
      fastifyError.validation[0]?.instancePath ?? '',
    );
    return sendError(reply, 'VALIDATION_FAILED', fastifyError.message ?? 'Invalid request', {
      field,
    });
  }
  if (isDatabaseUnavailable(error)) {
    request.log.error({ err: error }, 'database unavailable');
    return sendError(
      reply,
      'DATABASE_UNAVAILABLE',
      'The database is not reachable. Try again shortly.',
    );
  }
  if (
    error &&
    typeof error === 'object' &&
    'method' in error &&
    isResponseSerializationError(error)
  ) {
    request.log.error(
      { err: error, issues: error.cause?.issues },
      'response did not match its schema',
    );
    return sendError(reply, 'INTERNAL', 'Internal error.', { requestId: request.id });
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return sendError(reply, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return sendError(
        reply,
        'VALIDATION_FAILED',
        'Unsupported Content-Type; send application/json.',
        { field: 'headers.content-type' },
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return sendError(reply, 'VALIDATION_FAILED', 'The request body is not valid JSON.', {
        field: 'body',
      });
  }
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Fastify client errors not listed above (bad URL encoding, …): never echo internals.
    if (status === 429) return sendError(reply, 'RATE_LIMITED', 'Too many requests.');
    if (status === 413)
      return sendError(reply, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
    if (status === 404) return sendError(reply, 'NOT_FOUND', 'Not found.');
    return sendError(reply, 'VALIDATION_FAILED', 'The request is malformed.', { field: 'request' });
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendError(reply, 'INTERNAL', 'Internal error.', { requestId: request.id });
}

export async function registerErrorHandling(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((error, request, reply) => toErrorReply(error, request, reply));
  app.setNotFoundHandler((request, reply) => sendNoRoute(request, reply));
}
