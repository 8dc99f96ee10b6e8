import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import cors from 'cors';
import SCIMMYRouters from 'scimmy-routers';
import type { AuthOutcome, Principal, TokenVerifier } from '../auth/token.verifier.ts';
import type { Fault, FaultQueue } from '../control/faults.ts';
import type { RequestLog } from '../control/request.log.ts';
import type { DirectoryStore } from './directory.store.ts';
import type { ListService } from './list.service.ts';
import { parseListParams } from './list.params.ts';
import { rewriteExtensionReplace } from './patch.rewrite.ts';
import { serviceProviderConfig } from './service-provider-config.ts';
import { parseProjection, project } from './projection.ts';
import { ENTERPRISE_SCHEMA, LIST_RESPONSE_SCHEMA, type ResourceTypeName } from './resources.ts';
import { decorate, ensureScimmyDeclared, type ScimmyContext } from './scimmy.setup.ts';
import { ScimHttpError, sendScimError } from './scim-error.ts';

export interface ScimRoutesDeps {
  readonly baseUrl: string;
  readonly scimUrl: string;
  readonly store: DirectoryStore;
  readonly lists: ListService;
  readonly verifier: TokenVerifier;
  readonly faults: FaultQueue;
  readonly requestLog: RequestLog;
  readonly corsOrigins: readonly string[];
  readonly documentationUri: string;
}

interface RequestState {
  fault?: Fault;
  auth?: AuthOutcome;
}

const state = new WeakMap<Request, RequestState>();
const stateOf = (req: Request): RequestState => {
  let s = state.get(req);
  if (!s) {
    s = {};
    state.set(req, s);
  }
  return s;
};
const principalOf = (req: Request): Principal | undefined => {
  const auth = state.get(req)?.auth;
  return auth?.ok ? auth.principal : undefined;
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const quote = (text: string): string => text.replace(/["\\]/g, "'");
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function normaliseEtag(tag: string): string {
  return tag.trim().replace(/^W\//, '');
}

function etagMatches(header: string, version: string): boolean {
  return header
    .split(',')
    .some((t) => t.trim() === '*' || normaliseEtag(t) === normaliseEtag(version));
}

/** Everything under /scim/v2. */
export function scimRoutes(deps: ScimRoutesDeps): Router {
  ensureScimmyDeclared();
  const router = express.Router();

  // 1. Take this request's injected fault first, so `cors` can suppress CORS headers.
  router.use((req, _res, next) => {
    if (req.method !== 'OPTIONS') {
      const fault = deps.faults.take(req.path, req.baseUrl + req.path);
      if (fault) stateOf(req).fault = fault;
    }
    next();
  });

  // 2. CORS before authentication: preflights never carry credentials.
  const corsMiddleware = cors({
    origin: [...deps.corsOrigins],
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Accept', 'If-Match', 'If-None-Match'],
    exposedHeaders: ['ETag', 'Retry-After', 'Location', 'WWW-Authenticate'],
    maxAge: 600,
  });
  router.use((req, res, next) => {
    if (stateOf(req).fault?.kind === 'cors') {
      next();
      return;
    }
    corsMiddleware(req, res, next);
  });

  // 3. Identify the caller (without rejecting yet) and record the call when it finishes.
  router.use((req, res, next) => {
    deps.verifier
      .verify(req.headers.authorization)
      .then((auth) => {
        stateOf(req).auth = auth;
        // For the per-request log line: who, never the token itself.
        res.locals.caller = auth.ok
          ? `${auth.principal.kind}:${auth.principal.username ?? auth.principal.subject}`
          : `${auth.kind}:rejected`;
        // Captured now: nested routers rewrite req.path/baseUrl while handling.
        const path = req.baseUrl + req.path;
        const queryAt = req.originalUrl.indexOf('?');
        res.on('finish', () => {
          const principal = auth.ok ? auth.principal : undefined;
          deps.requestLog.add({
            at: new Date().toISOString(),
            subject: principal?.subject ?? (auth.ok ? null : (auth.subject ?? null)),
            username: principal?.username ?? null,
            tokenKind: principal?.kind ?? (auth.ok ? 'none' : auth.kind),
            method: req.method,
            path,
            query: queryAt >= 0 ? req.originalUrl.slice(queryAt + 1) : '',
            status: res.statusCode,
          });
        });
        next();
      })
      .catch(next);
  });

  // 4. Injected faults.
  router.use((req, res, next) => {
    const fault = stateOf(req).fault;
    if (!fault) {
      next();
      return;
    }
    switch (fault.kind) {
      case '429':
        sendScimError(res, 429, undefined, 'Too many requests (injected fault)', {
          'Retry-After': String(fault.retryAfter ?? 1),
        });
        return;
      case '500':
        sendScimError(res, 500, undefined, 'Internal server error (injected fault)');
        return;
      case '503':
        sendScimError(
          res,
          503,
          undefined,
          'Service unavailable (injected fault)',
          fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : {},
        );
        return;
      case 'malformed':
        res
          .status(200)
          .type('application/scim+json')
          .send(`{"schemas":["${LIST_RESPONSE_SCHEMA}"],"totalResults":3,"Resources":[{"id":"`);
        return;
      case 'revoked':
        sendScimError(res, 401, undefined, 'The access token has been revoked', {
          'WWW-Authenticate':
            'Bearer realm="scim", error="invalid_token", error_description="The access token has been revoked"',
        });
        return;
      case 'delay':
        sleep(fault.delayMs ?? 2000).then(() => next(), next);
        return;
      case 'cors':
        next();
        return;
    }
  });

  // 5. Authentication and scopes.
  router.use((req, res, next) => {
    const auth = stateOf(req).auth;
    if (!auth || !auth.ok) {
      const description = auth?.ok === false ? auth.description : 'Authentication required';
      const challenge =
        auth?.ok === false && auth.error === 'invalid_token'
          ? `Bearer realm="scim", error="invalid_token", error_description="${quote(description)}"`
          : 'Bearer realm="scim"';
      sendScimError(res, 401, undefined, description, { 'WWW-Authenticate': challenge });
      return;
    }
    const needed =
      WRITE_METHODS.has(req.method) && !req.path.endsWith('/.search') ? 'scim:write' : 'scim:read';
    if (!auth.principal.scopes.has(needed)) {
      sendScimError(res, 403, undefined, `The token lacks the ${needed} scope`, {
        'WWW-Authenticate': `Bearer realm="scim", error="insufficient_scope", scope="${needed}"`,
      });
      return;
    }
    next();
  });

  // 6. Bodies: SCIM JSON only, errors as SCIM errors.
  router.use(express.json({ type: ['application/scim+json', 'application/json'], limit: '1mb' }));
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    const e = error as { type?: string; message?: string };
    if (e.type === 'entity.parse.failed')
      sendScimError(
        res,
        400,
        'invalidSyntax',
        `The request body is not valid JSON: ${e.message ?? ''}`,
      );
    else if (e.type === 'entity.too.large')
      sendScimError(res, 413, undefined, 'The request body is larger than 1 MB');
    else next(error);
  });

  // 7. ETag on single-resource responses, conditional requests (RFC 7644 §3.14).
  router.use((req, res, next) => {
    const json = res.json.bind(res);
    // Captured now: SCIMMY's nested routers rewrite req.path before answering.
    const path = req.path;
    res.json = (body: unknown) => {
      // SCIMMY drops `schemas` when `attributes=` is used; RFC 7643 §3 always has it.
      const target =
        /^\/(Users|Groups)\/[^/]+$/.exec(path) ?? (path === '/Me' ? [path, 'Users'] : null);
      const shaped = body as { id?: unknown; schemas?: unknown } | null;
      if (target && shaped && typeof shaped.id === 'string' && shaped.schemas === undefined) {
        const stored = deps.store.get(target[1] === 'Users' ? 'User' : 'Group', shaped.id);
        if (stored) body = { schemas: stored.schemas, ...JSON.parse(JSON.stringify(shaped)) };
      }
      let out = body as {
        id?: unknown;
        meta?: { resourceType?: unknown; version?: unknown; location?: unknown };
      } | null;
      const meta = out?.meta;
      if (
        meta &&
        typeof out?.id === 'string' &&
        (meta.resourceType === 'User' || meta.resourceType === 'Group')
      ) {
        // SCIMMY's basepath is process-wide; with several sandboxes in one process it may
        // name another one's port, so the location is set from this sandbox's URL.
        const plain = JSON.parse(JSON.stringify(out)) as { meta: Record<string, unknown> };
        plain.meta.location = `${deps.scimUrl}/${meta.resourceType === 'User' ? 'Users' : 'Groups'}/${out.id}`;
        out = plain;
      }
      if (typeof out?.meta?.version === 'string' && res.statusCode < 300)
        res.setHeader('ETag', out.meta.version);
      if (typeof out?.meta?.location === 'string' && res.statusCode === 201)
        res.setHeader('Location', out.meta.location);
      return json(out);
    };
    next();
  });
  router.all(['/Users/:id', '/Groups/:id'], (req, res, next) => {
    const id = String(req.params.id);
    if (id === '.search') {
      next();
      return;
    }
    const current = deps.store.get(req.path.startsWith('/Users') ? 'User' : 'Group', id);
    if (!current) {
      next();
      return;
    }
    const version = current.meta.version;
    const ifNoneMatch = req.headers['if-none-match'];
    if (req.method === 'GET' && ifNoneMatch && etagMatches(ifNoneMatch, version)) {
      res.setHeader('ETag', version);
      res.status(304).end();
      return;
    }
    const ifMatch = req.headers['if-match'];
    if (WRITE_METHODS.has(req.method) && ifMatch && !etagMatches(ifMatch, version)) {
      sendScimError(
        res,
        412,
        undefined,
        'The resource has changed: If-Match does not match its current version',
        { ETag: version },
      );
      return;
    }
    next();
  });

  // 8. Lists and searches (SCIMMY cannot sort by sub-attributes or page by cursor).
  const list =
    (types: readonly ResourceTypeName[], from: 'query' | 'body') =>
    (req: Request, res: Response, next: NextFunction): void => {
      try {
        const request = parseListParams(from === 'query' ? req.query : req.body, types, from);
        const attributes = request.attributes
          ? parseProjection(request.attributes.split(','))
          : undefined;
        const excluded = request.excludedAttributes
          ? parseProjection(request.excludedAttributes.split(','))
          : undefined;
        const page = deps.lists.list(request);
        const resources = page.resources.map((r) => {
          const endpoint = r.meta.resourceType === 'User' ? 'Users' : 'Groups';
          const located = {
            ...r,
            meta: { ...r.meta, location: `${deps.scimUrl}/${endpoint}/${r.id}` },
          };
          // Adding `$ref`s copies every member of a 25k-member group: only do it when the
          // projection keeps an attribute that carries them.
          const slim = project(located, attributes, excluded);
          const enterprise = slim[ENTERPRISE_SCHEMA] as { manager?: unknown } | undefined;
          if (
            slim.members === undefined &&
            slim.groups === undefined &&
            enterprise?.manager === undefined
          )
            return slim;
          return project(decorate(located, deps.scimUrl), attributes, excluded);
        });
        res
          .status(200)
          .type('application/scim+json')
          .send(
            JSON.stringify({
              schemas: [LIST_RESPONSE_SCHEMA],
              totalResults: page.totalResults,
              ...(page.startIndex !== undefined ? { startIndex: page.startIndex } : {}),
              itemsPerPage: resources.length,
              ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
              ...(page.previousCursor ? { previousCursor: page.previousCursor } : {}),
              Resources: resources,
            }),
          );
      } catch (error) {
        next(error);
      }
    };
  router.get('/Users', list(['User'], 'query'));
  router.get('/Groups', list(['Group'], 'query'));
  router.post('/Users/.search', list(['User'], 'body'));
  router.post('/Groups/.search', list(['Group'], 'body'));
  router.post('/.search', list(['User', 'Group'], 'body'));
  router.get('/ServiceProviderConfig', (_req, res) => {
    res
      .type('application/scim+json')
      .send(JSON.stringify(serviceProviderConfig(deps, deps.lists.maxPageSize)));
  });
  router.post('/Bulk', (_req, res) =>
    sendScimError(res, 501, undefined, 'Bulk operations are not supported by the sandbox'),
  );
  router.all('/Me', (req, res, next) => {
    const principal = principalOf(req);
    if (req.method !== 'GET') sendScimError(res, 501, undefined, 'Only GET /Me is supported');
    else if (!principal?.userId)
      sendScimError(
        res,
        404,
        undefined,
        `The token's subject (${principal?.subject ?? 'none'}) is not a SCIM user`,
      );
    else next();
  });

  // SCIMMY cannot `replace` an extension attribute path (see patch.rewrite.ts).
  router.patch('/Users/:id', (req, _res, next) => {
    const body = req.body as { Operations?: unknown } | undefined;
    if (body && Array.isArray(body.Operations)) {
      body.Operations = body.Operations.map((operation: unknown) =>
        rewriteExtensionReplace(operation),
      );
    }
    next();
  });

  // 9. Everything else: SCIMMY (single-resource CRUD, PATCH, /Me, /Schemas, /ResourceTypes).
  const context = (): ScimmyContext => ({ store: deps.store, scimUrl: deps.scimUrl });
  router.use(
    new SCIMMYRouters({
      type: 'bearer',
      docUri: deps.documentationUri,
      handler: (req) => principalOf(req)?.userId ?? '',
      context,
      baseUri: () => deps.baseUrl,
    }) as unknown as Router,
  );

  // 10. Our own errors, and anything SCIMMY re-throws after answering.
  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return;
    if (error instanceof ScimHttpError) {
      sendScimError(res, error.status, error.scimType, error.message, error.headers);
      return;
    }
    const e = error as { status?: unknown; scimType?: unknown; message?: unknown };
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      sendScimError(
        res,
        e.status,
        (e.scimType as never) ?? undefined,
        String(e.message ?? 'Bad request'),
      );
      return;
    }
    sendScimError(res, 500, undefined, 'Internal server error');
  });
  return router;
}
