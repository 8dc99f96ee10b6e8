/**
 * /api/logs — the audit trail: search (own events; everyone's with audit:read-all), streamed
 * export, and chain verification (audit:read-all).
 */
import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Actor } from '../../lib/actor.ts';
import { AppError } from '../../lib/errors.ts';
import { renderExport } from './audit.export.ts';
import {
  iterateAuditEvents,
  listAuditEvents,
  verifyAuditChain,
  type AuditQuery,
} from './audit.repository.ts';
import {
  auditExportQuery,
  auditListQuery,
  auditListResponse,
  decodeCursor,
  encodeCursor,
  verifyQuery,
  verifyResponse,
  type AuditListQuery,
} from './audit.schemas.ts';
import { configureAudit, recordPermissionDenied } from './audit.service.ts';

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  configureAudit({ redactFilterValues: app.config.auditRedactFilterValues });
  const tags = ['audit'];

  /** Own events unless the caller may read everyone's; asking for more is denied and audited. */
  async function scopeFilter(
    request: FastifyRequest,
    actor: Actor,
    q: Omit<AuditListQuery, 'cursor' | 'limit'>,
  ): Promise<AuditQuery> {
    const wantsOthers = q.scope === 'all' || (q.userId !== undefined && q.userId !== actor.userId);
    if (wantsOthers && !actor.permissions.has('audit:read-all')) {
      await recordPermissionDenied(app.db, actor, {
        method: request.method,
        path: request.routeOptions.url ?? request.url,
        permission: 'audit:read-all',
        reason: q.scope === 'all' ? 'scope=all' : 'userId of another user',
      });
      throw new AppError(
        'FORBIDDEN',
        "Reading other users' events needs the auditor or admin role.",
        { permission: 'audit:read-all' },
      );
    }
    if (q.from && q.to && q.from >= q.to)
      throw new AppError('VALIDATION_FAILED', 'from must be before to', { field: 'query.from' });
    return {
      actorId: q.scope === 'own' ? (q.userId ?? actor.userId) : q.userId,
      connectionId: q.connectionId,
      actions: q.action,
      result: q.outcome,
      from: q.from,
      to: q.to,
      q: q.q || undefined,
    };
  }

  app.get(
    '/api/logs',
    {
      config: { permission: 'history:own' },
      schema: { tags, querystring: auditListQuery, response: { 200: auditListResponse } },
    },
    async (request) => {
      const { cursor, limit, ...rest } = request.query;
      const filter = await scopeFilter(request, request.actor!, rest);
      if (cursor !== undefined) filter.beforeSeq = decodeCursor(cursor);
      const { events, hasMore } = await listAuditEvents(app.db, filter, limit);
      return {
        events,
        nextCursor:
          hasMore && events.length > 0 ? encodeCursor(events[events.length - 1]!.seq) : null,
      };
    },
  );

  app.get(
    '/api/logs/export',
    { config: { permission: 'history:own' }, schema: { tags, querystring: auditExportQuery } },
    async (request, reply) => {
      const { format, ...rest } = request.query;
      const filter = await scopeFilter(request, request.actor!, rest);
      const stamp = new Date()
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d+Z$/, 'Z');
      reply
        .header(
          'content-type',
          format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
        )
        .header('content-disposition', `attachment; filename="audit-${stamp}.${format}"`)
        .header('cache-control', 'no-store');
      // Oldest first, read in batches and written as it goes: memory stays flat at any size.
      return reply.send(Readable.from(renderExport(iterateAuditEvents(app.db, filter), format)));
    },
  );

  app.get(
    '/api/logs/verify',
    {
      config: { permission: 'audit:read-all' },
      schema: { tags, querystring: verifyQuery, response: { 200: verifyResponse } },
    },
    async (request) => {
      const { afterSeq, afterHash } = request.query;
      return verifyAuditChain(
        app.db,
        1000,
        afterSeq !== undefined && afterHash !== undefined ? { afterSeq, afterHash } : undefined,
      );
    },
  );
};
