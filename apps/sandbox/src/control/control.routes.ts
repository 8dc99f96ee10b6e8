import express, { type Request, type Response, type Router } from 'express';
import type { Revocations } from '../auth/revocations.ts';
import type { MemoryStorage } from '../oidc/memory.adapter.ts';
import type { SignInAccount } from '../seed/directory.seed.ts';
import { FaultValidationError, type FaultQueue } from './faults.ts';
import type { RequestLog } from './request.log.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function problem(
  res: Response,
  status: number,
  code: string,
  message: string,
  field?: string,
): void {
  res.status(status).json({ error: { code, message, ...(field ? { field } : {}) } });
}

export interface ControlDeps {
  readonly faults: FaultQueue;
  readonly requestLog: RequestLog;
  readonly storage: MemoryStorage;
  readonly revocations: Revocations;
  readonly accounts: readonly SignInAccount[];
  readonly serviceClientId: string;
}

/** Test and demo knobs under /_sandbox. Loopback callers only: they change what others see. */
export function controlRoutes(deps: ControlDeps): Router {
  const router = express.Router();
  router.use((req, res, next) => {
    if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) {
      problem(res, 403, 'LOOPBACK_ONLY', '/_sandbox is only available from the loopback interface');
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  router.use(express.json({ limit: '16kb' }));
  router.use((error: unknown, _req: Request, res: Response, next: express.NextFunction) => {
    if ((error as { type?: string }).type === 'entity.parse.failed')
      problem(res, 400, 'INVALID_JSON', 'The body is not valid JSON');
    else next(error);
  });

  router.get('/requests', (req, res) => {
    let since: number | undefined;
    if (typeof req.query.since === 'string' && req.query.since !== '') {
      since = /^\d+$/.test(req.query.since) ? Number(req.query.since) : Date.parse(req.query.since);
      if (Number.isNaN(since)) {
        problem(
          res,
          400,
          'INVALID_SINCE',
          'since must be an ISO 8601 timestamp or epoch milliseconds',
          'since',
        );
        return;
      }
    }
    res.json(deps.requestLog.list(since));
  });
  router.delete('/requests', (_req, res) => {
    deps.requestLog.clear();
    res.status(204).end();
  });

  router.get('/faults', (_req, res) => {
    res.json(deps.faults.list());
  });
  router.post('/faults', (req, res) => {
    try {
      res.status(201).json(deps.faults.add(req.body));
    } catch (error) {
      if (error instanceof FaultValidationError)
        problem(res, 400, 'INVALID_FAULT', error.message, error.field);
      else throw error;
    }
  });
  router.delete('/faults', (_req, res) => {
    deps.faults.clear();
    res.status(204).end();
  });

  /** Revoke everything an account (or the service client) holds: grants, refresh tokens, sessions, issued access tokens. */
  router.post('/revoke', (req, res) => {
    const body = (req.body ?? {}) as { username?: unknown; clientId?: unknown };
    if (typeof body.clientId === 'string' && body.clientId === deps.serviceClientId) {
      deps.revocations.revoke(body.clientId);
      res.json({ subject: body.clientId, grantsRevoked: 0 });
      return;
    }
    const account = deps.accounts.find((a) => a.username === body.username);
    if (!account) {
      problem(
        res,
        400,
        'UNKNOWN_ACCOUNT',
        `username must be one of ${deps.accounts.map((a) => a.username).join(', ')}`,
        'username',
      );
      return;
    }
    const grantsRevoked = deps.storage.revokeAccount(account.id);
    deps.revocations.revoke(account.id);
    res.json({ username: account.username, subject: account.id, grantsRevoked });
  });

  router.use((_req, res) => problem(res, 404, 'NOT_FOUND', 'Unknown /_sandbox endpoint'));
  return router;
}
