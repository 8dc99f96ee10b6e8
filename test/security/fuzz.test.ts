/**
 * Fuzzing every JSON endpoint of the console API (issue 10 item 1). The routes come from the
 * app itself (`app.routeAccess`) and the body/query field names from its OpenAPI document, so
 * a new route is fuzzed without touching this file. Inputs: random and malformed JSON texts,
 * huge strings, deep nesting, wrong types, unicode (lone surrogates, RTL, emoji), NUL bytes,
 * prototype-pollution keys, bad percent-encodings in query strings and path params, odd
 * content types. Property: an answer within the per-request timeout, never a 5xx, and every
 * 4xx is JSON `{ error: { code, message } }` with `code` from the closed ErrorCode set.
 * The filter parser's own properties live in packages/scim/src/filter/filter.property.test.ts.
 */
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildTestApp,
  login,
  type LoggedIn,
  type TestApp,
} from '../../apps/server/test/helpers/test-app.ts';
import {
  createSandboxConnections,
  startTestSandbox,
  type SandboxConnections,
  type TestSandbox,
} from '../../apps/server/src/modules/token-vault/sandbox.test-support.ts';
import { apiRoutes, errorShapeProblem, fillUrl, injectWithin, type ApiRoute } from './support.ts';

/** Cases per route and caller; the totals are printed and asserted at the end. */
const RUNS_ADMIN = Number(process.env.FUZZ_RUNS_ADMIN ?? 360);
const RUNS_ANONYMOUS = Number(process.env.FUZZ_RUNS_ANONYMOUS ?? 100);
const RUNS_RAW = Number(process.env.FUZZ_RUNS_RAW ?? 2_500);

/** encodeURIComponent refuses lone surrogates; the raw ones are sent in bodies instead. */
const wellFormed = (s: string): string => (s as string & { toWellFormed(): string }).toWellFormed();

const HUGE = ['x'.repeat(70_000), 'é'.repeat(20_000), '\u0000'.repeat(5_000), '😀'.repeat(10_000)];
const NASTY = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  '\uDFFF\uD800',
  '\u202Eevil',
  '\uFEFF',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '../../etc/passwd',
  '%00',
  '%',
  '%zz',
  '%E0%A4%A',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  "' or 1=1 --",
  '"; drop table users; --',
  'userName eq "x" or 1 eq 1',
  'emails[type eq "work"',
  '-1',
  '1e309',
  'NaN',
  'true',
  'null',
  'https://evil.example',
  '//evil.example',
  'http://169.254.169.254/latest/meta-data',
  'javascript:alert(1)',
  'data:text/html,<b>x</b>',
];

const weirdString = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 4, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 1, arbitrary: fc.constantFrom(...HUGE) },
);

/** JSON texts built by hand, so `__proto__` keys survive (an object literal would eat them). */
function jsonText(fieldNames: string[]): fc.Arbitrary<string> {
  const key = fc.oneof(
    {
      weight: fieldNames.length > 0 ? 6 : 0,
      arbitrary: fc.constantFrom(...(fieldNames.length ? fieldNames : ['x'])),
    },
    { weight: 2, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype') },
    { weight: 2, arbitrary: weirdString },
  );
  const { value } = fc.letrec<{ value: string }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      weirdString.map((s) => JSON.stringify(s)),
      fc
        .oneof(
          fc.integer(),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.constantFrom(-1, 0, 2 ** 31, 2 ** 53 + 1, -0),
        )
        .map(String),
      fc.constantFrom('true', 'false', 'null', '1e308', '[]', '{}'),
      fc.array(tie('value'), { maxLength: 5 }).map((items) => `[${items.join(',')}]`),
      fc
        .array(fc.tuple(key, tie('value')), { maxLength: 6 })
        .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
    ),
  }));
  // The top level is usually an object of the route's own fields, so validation goes deep.
  const topObject = fc
    .array(fc.tuple(key, value), { minLength: 1, maxLength: 8 })
    .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);
  return fc.oneof({ weight: 5, arbitrary: topObject }, { weight: 1, arbitrary: value });
}

const malformedText = fc.oneof(
  fc.constantFrom(
    '{',
    '}',
    '{"a":}',
    '{"a":1,}',
    "{'a':1}",
    '[1,2',
    'undefined',
    'NaN',
    '1e999999',
    '"\\uD800"',
    '{"__proto__":{"isAdmin":true,"role":"admin","permissions":["admin:manage"]}}',
    '{"constructor":{"prototype":{"polluted":1}}}',
    '\u0000',
    '\uFEFF{}',
    '{"a":"\\u0000"}',
    '{"a":1}{"b":2}',
    `{"a":"${'x'.repeat(200_000)}"}`,
  ),
  fc.string({ maxLength: 200 }),
  fc.integer({ min: 1, max: 20_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.integer({ min: 1, max: 5_000 }).map((n) => '{"where":'.repeat(n) + '1' + '}'.repeat(n)),
  fc
    .integer({ min: 60, max: 2_000 })
    .map(
      (n) =>
        `{"combinator":"and","rules":[${'{"combinator":"and","rules":['.repeat(n)}${']}'.repeat(n)}]}`,
    ),
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/scim+json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
);

const queryValue = fc.oneof(
  { weight: 4, arbitrary: weirdString.map((s) => encodeURIComponent(wellFormed(s))) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '%',
      '%zz',
      '%E0%A4%A',
      '%00',
      '%C0%80',
      '%FF',
      '+',
      '&&',
      '==',
      '[]',
    ),
  },
);

function queryString(names: string[]): fc.Arbitrary<string> {
  const key = fc.oneof(
    { weight: names.length ? 5 : 0, arbitrary: fc.constantFrom(...(names.length ? names : ['x'])) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('__proto__', 'constructor', '__proto__[x]', 'a[b]', ''),
    },
  );
  return fc
    .array(fc.tuple(key, queryValue), { maxLength: 6 })
    .map((pairs) => (pairs.length ? '?' + pairs.map(([k, v]) => `${k}=${v}`).join('&') : ''));
}

interface RouteShape {
  bodyFields: string[];
  queryFields: string[];
}

/** Field names per "METHOD /api/x/:id" from the OpenAPI document. */
function shapesFrom(doc: {
  paths: Record<string, Record<string, unknown>>;
}): Map<string, RouteShape> {
  const shapes = new Map<string, RouteShape>();
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      const operation = op as {
        parameters?: { in: string; name: string }[];
        requestBody?: {
          content?: Record<string, { schema?: { properties?: Record<string, unknown> } }>;
        };
      };
      const schema = Object.values(operation.requestBody?.content ?? {})[0]?.schema;
      shapes.set(`${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`, {
        bodyFields: Object.keys(schema?.properties ?? {}),
        queryFields: (operation.parameters ?? [])
          .filter((p) => p.in === 'query')
          .map((p) => p.name),
      });
    }
  }
  return shapes;
}

describe('fuzzing every JSON endpoint', () => {
  let sandbox: TestSandbox;
  let app: TestApp;
  let admin: LoggedIn;
  let ids: SandboxConnections;
  let routes: ApiRoute[];
  let shapes: Map<string, RouteShape>;
  let victimId: string;
  const counts = { admin: 0, anonymous: 0, raw: 0 };

  beforeAll(async () => {
    sandbox = await startTestSandbox({ accessTokenTtl: 300 });
    app = await buildTestApp({
      // The per-IP request cap would turn every case into 429 after the first minute's worth.
      env: {
        RATE_LIMIT_MAX: '1000000',
        LOGIN_RATE_LIMIT_MAX: '10000',
        HTTP_TIMEOUT_MS: '3000',
        SANDBOX_URL: sandbox.url,
      },
    });
    admin = await login(app, 'admin');
    ids = await createSandboxConnections(app, sandbox, admin.user.id);
    victimId = (await login(app, 'viewer')).user.id;
    routes = apiRoutes(app);
    shapes = shapesFrom((await app.inject({ url: '/api/docs/json' })).json());
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
  });

  const idPool = () =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(ids.static, ids.oauth, ids.relay, victimId) },
      { weight: 3, arbitrary: weirdString.map((s) => s.slice(0, 300)) },
    );

  function caseFor(route: ApiRoute): fc.Arbitrary<InjectOptions> {
    const shape = shapes.get(`${route.method} ${route.url}`) ?? { bodyFields: [], queryFields: [] };
    const hasBody = !['GET', 'DELETE'].includes(route.method);
    return fc
      .record({
        param: idPool(),
        wildcard: fc.oneof(
          fc.constantFrom('Users', 'Me', 'Users/.search', '.search', 'Groups/x'),
          weirdString.map((s) =>
            encodeURIComponent(wellFormed(s.slice(0, 50))).replace(/%2F/g, '/'),
          ),
        ),
        query: queryString(
          shape.queryFields.length ? shape.queryFields : ['connectionId', 'returnTo'],
        ),
        body: hasBody
          ? fc.oneof(
              { weight: 5, arbitrary: jsonText(shape.bodyFields) },
              { weight: 1, arbitrary: malformedText },
            )
          : fc.constant(undefined),
        type: contentType,
      })
      .map(({ param, wildcard, query, body, type }) => {
        const path = route.url
          .replace(/:([A-Za-z]+)/g, () => encodeURIComponent(wellFormed(param)))
          .replace(/\*$/, wildcard);
        return {
          method: route.method as InjectOptions['method'],
          url: path + query,
          ...(body !== undefined ? { payload: body, headers: { 'content-type': type } } : {}),
        };
      });
  }

  async function check(
    inject: (o: InjectOptions) => Promise<LightMyRequestResponse>,
    options: InjectOptions,
  ): Promise<void> {
    const res = await injectWithin(inject, options, 10_000);
    const problem = errorShapeProblem(res);
    if (problem)
      throw new Error(`${options.method} ${String(options.url).slice(0, 200)}: ${problem}`);
  }

  it('answers router-level refusals (over-long path parameter, bad percent-encoding) in the one shape', async () => {
    // Fastify's router answers these itself (414 / 400 with its own body, echoing the path)
    // unless `frameworkErrors` routes them through the error handler.
    for (const url of [
      `/api/users/${'x'.repeat(300)}`,
      '/api/users/%zz',
      `/api/relay/${'a'.repeat(200)}/Users`,
    ]) {
      for (const caller of [admin.inject, app.inject.bind(app)]) {
        const res = await caller({ method: 'PATCH', url, payload: {} });
        expect(
          errorShapeProblem(res),
          `${url} → ${res.statusCode} ${res.body.slice(0, 80)}`,
        ).toBeNull();
        expect(res.statusCode).toBeLessThan(500);
        expect(res.body).not.toContain('xxxxxxxxxx');
      }
    }
  });

  it('as an admin: no 5xx, no hang, every error a stable code', async () => {
    // Logout would end the fuzzing session; it is fuzzed anonymously below and by the CSRF test.
    for (const route of routes.filter((r) => r.url !== '/api/auth/logout')) {
      const started = Date.now();
      await fc.assert(
        fc.asyncProperty(caseFor(route), async (options) => {
          counts.admin += 1;
          await check(admin.inject, options);
        }),
        {
          numRuns: route.url === '/api/auth/login' ? 60 : RUNS_ADMIN,
          ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}),
        },
      );
      if (process.env.FUZZ_TIMING)
        console.info(`${route.method} ${route.url}: ${Date.now() - started} ms`);
      // A case may have ended the session (e.g. a password change of the admin): sign in again.
      if ((await admin.inject({ url: '/api/auth/me' })).statusCode !== 200)
        admin = await login(app, 'admin');
    }
  }, 300_000);

  it('anonymously: every non-public route is a 401 in the one shape, public ones never 5xx', async () => {
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(caseFor(route), async (options) => {
          counts.anonymous += 1;
          const res = await injectWithin(app.inject.bind(app), options, 10_000);
          const problem = errorShapeProblem(res);
          if (problem)
            throw new Error(`${options.method} ${String(options.url).slice(0, 200)}: ${problem}`);
          // A path the router refuses before routing (over-long parameter) is a 400 even anonymously.
          const refusedByRouter =
            (res.statusCode === 400 && res.json().error?.details?.field === 'request') ||
            (res.statusCode === 404 && /^No route /.test(res.json().error?.message ?? ''));
          if (route.permission !== 'public' && res.statusCode !== 401 && !refusedByRouter)
            throw new Error(
              `anonymous ${options.method} ${String(options.url)} → ${res.statusCode}`,
            );
        }),
        { numRuns: route.url === '/api/auth/login' ? 40 : RUNS_ANONYMOUS },
      );
    }
  }, 120_000);

  it('raw malformed bodies and deep nesting on every body-taking route', async () => {
    const bodyRoutes = routes.filter(
      (r) =>
        ['POST', 'PUT', 'PATCH'].includes(r.method) &&
        r.url !== '/api/auth/logout' &&
        r.url !== '/api/auth/login',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...bodyRoutes),
        malformedText,
        contentType,
        async (route, body, type) => {
          counts.raw += 1;
          await check(admin.inject, {
            method: route.method as InjectOptions['method'],
            url: fillUrl(route.url, { connectionId: ids.static, id: ids.static, queryId: 'q' }),
            payload: body,
            headers: { 'content-type': type },
          });
        },
      ),
      { numRuns: RUNS_RAW },
    );
  }, 180_000);

  it('ran tens of thousands of cases, polluted no prototype and left the chain intact', async () => {
    const total = counts.admin + counts.anonymous + counts.raw;
    console.info(
      `fuzz cases: ${JSON.stringify(counts)} total ${total} over ${routes.length} routes`,
    );
    if (RUNS_ADMIN >= 360) expect(total).toBeGreaterThan(20_000);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
    const auditor = await login(app, 'auditor');
    expect((await auditor.inject({ url: '/api/logs/verify' })).json()).toMatchObject({ ok: true });
  });
});
