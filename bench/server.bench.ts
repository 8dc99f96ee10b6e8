/**
 * Server throughput and latency (issue 9, item 1): autocannon 9 on loopback against the real
 * console server — `buildApp(loadConfig(…))` with the demo profile and the in-process sandbox
 * as its SCIM provider, in a child process (bench/lib/server-process.ts) — with signed-in
 * sessions (cookie + CSRF token), on SQLite and, when DATABASE_URL is set, on PostgreSQL
 * (a fresh database copied from a cached template, dropped after). The audit trail holds
 * 1,000,000 events (a valid hash chain, bench/lib/audit-cache.ts) before the load starts.
 *
 * Every route is measured right after a bare Fastify route (`GET /bare`, a second Fastify
 * instance in the same child process) with the same autocannon settings: ratio = route rps /
 * bare rps, so the machine's load (shared, noisy) cancels out as far as it can.
 *
 *   node --import tsx bench/server.bench.ts [--seconds=6] [--connections=64] [--rows=1000000]
 */
import { startSandbox } from '../apps/sandbox/src/index.ts';
import { sql } from 'kysely';
import { auditDatabase, databaseKinds, type DbKind } from './lib/audit-cache.ts';
import {
  call,
  cannon,
  signIn,
  startServerProcess,
  type CannonRequest,
  type CannonResult,
  type Session,
} from './lib/server-harness.ts';

const arg = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const SECONDS = arg('seconds', 6);
const CONNECTIONS = arg('connections', 64);
const ROWS = arg('rows', 1_000_000);

const pct = (x: number) => `${Math.round(x * 100)}%`;
const fmt = (r: CannonResult) =>
  `${Math.round(r.rps).toLocaleString('en').padStart(6)} req/s  p50 ${String(r.p50).padStart(3)} ms  p99 ${String(r.p99).padStart(4)} ms` +
  (r.non2xx || r.errors || r.timeouts
    ? `  (non-2xx ${r.non2xx} ${JSON.stringify(r.statuses)}, errors ${r.errors}, timeouts ${r.timeouts})`
    : '');

interface RouteFigure {
  name: string;
  route: CannonResult;
  bare: CannonResult;
  rssPeak: number;
}

async function runDatabase(
  kind: DbKind,
  sandbox: Awaited<ReturnType<typeof startSandbox>>,
): Promise<{
  figures: RouteFigure[];
  lost: number;
  generated: number;
  ok: number;
  rssPeak: number;
}> {
  const tPrep = performance.now();
  const database = await auditDatabase(kind, ROWS, [10_000, 100_000]);
  if (database.builtSeconds)
    console.log(`  (cache built in ${database.builtSeconds.toFixed(0)} s)`);
  const server = await startServerProcess(database.config, sandbox.url);
  const handle = database.open();
  try {
    const [admin1, admin2, operator1, operator2, auditor] = [
      await signIn(server.url, 'admin'),
      await signIn(server.url, 'admin'),
      await signIn(server.url, 'operator'),
      await signIn(server.url, 'operator'),
      await signIn(server.url, 'auditor'),
    ];
    const { connections } = await call<{
      connections: { id: string; authKind: string; executionMode: string }[];
    }>(server.url, admin1, 'GET', '/api/connections');
    const staticConnection = connections.find((c) => c.authKind === 'static')!.id;
    // Each user links their own personal sandbox token (the token vault is per user).
    await call(server.url, admin1, 'PUT', '/api/token', {
      connectionId: staticConnection,
      token: sandbox.staticTokens.admin,
    });
    await call(server.url, operator1, 'PUT', '/api/token', {
      connectionId: staticConnection,
      token: sandbox.staticTokens.operator,
    });
    await call(server.url, auditor, 'PUT', '/api/token', {
      connectionId: staticConnection,
      token: sandbox.staticTokens.auditor,
    });
    // Discovery once, as the first Query page visit would (then cached for DISCOVERY_CACHE_SECONDS).
    await call(server.url, operator1, 'GET', `/api/query-options?connectionId=${staticConnection}`);
    console.log(
      `  ${kind}: ${ROWS.toLocaleString('en')} audit events, server pid ${server.pid}, ready in ${((performance.now() - tPrep) / 1000).toFixed(0)} s`,
    );

    const writers: Session[] = [admin1, admin2, operator1, operator2];
    const queryBodies: CannonRequest[] = [
      {
        method: 'POST',
        path: '/api/scim-query',
        body: {
          connectionId: staticConnection,
          resourceType: 'User',
          filter: 'userName eq "bjensen@example.com"',
        },
      },
      {
        method: 'POST',
        path: '/api/scim-query',
        body: {
          connectionId: staticConnection,
          resourceType: 'User',
          sortBy: 'name.familyName',
          count: 100,
          where: {
            combinator: 'and',
            rules: [
              { field: 'active', operator: 'eq', value: true },
              {
                field: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department',
                operator: 'eq',
                value: 'Sales',
              },
              {
                combinator: 'or',
                rules: [
                  { field: 'title', operator: 'co', value: 'Manager' },
                  { field: 'userType', operator: 'eq', value: 'Employee' },
                ],
              },
            ],
          },
        },
      },
      {
        method: 'POST',
        path: '/api/scim-query',
        body: {
          connectionId: staticConnection,
          resourceType: 'User',
          preset: { id: 'all-users', params: {} },
          attributes: ['userName', 'displayName', 'emails'],
        },
      },
    ];
    const routes: { name: string; requests: CannonRequest[]; sessions: Session[] }[] = [
      { name: 'POST /api/scim-query', requests: queryBodies, sessions: writers },
      {
        name: 'GET /api/query-options',
        requests: [{ method: 'GET', path: `/api/query-options?connectionId=${staticConnection}` }],
        sessions: writers,
      },
      {
        name: 'GET /api/token',
        requests: [{ method: 'GET', path: `/api/token?connectionId=${staticConnection}` }],
        sessions: [admin1, admin2, operator1, operator2, auditor],
      },
      {
        name: `GET /api/logs (${ROWS >= 1e6 ? `${ROWS / 1e6}M` : `${ROWS / 1e3}k`} events)`,
        requests: [
          { method: 'GET', path: '/api/logs?scope=all&limit=50' },
          { method: 'GET', path: '/api/logs?scope=own&action=query.generated&limit=20' },
          { method: 'GET', path: '/api/logs?scope=all&q=person4242&limit=50' },
        ],
        sessions: [admin1, admin2, auditor],
      },
    ];

    const figures: RouteFigure[] = [];
    let lost = 0;
    let generated = 0;
    let ok = 0;
    let rssPeak = 0;
    for (const route of routes) {
      // Warm-up (JIT, caches, connection pools), not counted.
      await cannon(server.bareUrl, [{ method: 'GET', path: '/bare' }], {
        connections: CONNECTIONS,
        seconds: 1,
      });
      await cannon(server.url, route.requests, {
        connections: CONNECTIONS,
        seconds: 2,
        sessions: route.sessions,
      });
      const bare = await cannon(server.bareUrl, [{ method: 'GET', path: '/bare' }], {
        connections: CONNECTIONS,
        seconds: SECONDS,
      });
      const countGenerated = async () =>
        Number(
          (
            await sql<{
              n: number | string;
            }>`select count(*) as n from audit_events where action = 'query.generated'`.execute(
              handle.db,
            )
          ).rows[0]!.n,
        );
      const before = route.name.includes('scim-query') ? await countGenerated() : 0;
      server.rssReset();
      const measured = await cannon(server.url, route.requests, {
        connections: CONNECTIONS,
        seconds: SECONDS,
        sessions: route.sessions,
      });
      const rss = await server.rssRead();
      rssPeak = Math.max(rssPeak, rss.peak);
      if (route.name.includes('scim-query')) {
        await new Promise((r) => setTimeout(r, 500)); // requests autocannon abandoned at the deadline finish
        generated = (await countGenerated()) - before;
        ok = measured.ok;
        lost = Math.max(0, measured.ok - generated);
      }
      figures.push({ name: route.name, route: measured, bare, rssPeak: rss.peak });
      console.log(
        `  ${route.name.padEnd(28)} ${fmt(measured)}  | bare ${fmt(bare)}  | ratio ${pct(measured.rps / bare.rps)}  | RSS peak ${rss.peak} MB`,
      );
    }
    return { figures, lost, generated, ok, rssPeak };
  } finally {
    await handle.close();
    await server.close();
    await database.drop();
  }
}

const sandbox = await startSandbox({ port: 0, users: 2000, password: 'bench-sandbox', env: {} });
console.log(
  `server bench: autocannon ${CONNECTIONS} connections, ${SECONDS} s per run, loopback; sandbox 2,000 users`,
);
try {
  for (const kind of databaseKinds()) {
    const r = await runDatabase(kind, sandbox);
    const q = r.figures.find((f) => f.name.includes('scim-query'))!;
    const worstP99 = Math.max(...r.figures.map((f) => f.route.p99));
    const worst = r.figures.find((f) => f.route.p99 === worstP99)!;
    const ratio = q.route.rps / q.bare.rps;
    console.log(
      `GOAL [${kind}] /api/scim-query ≥ 25% of bare Fastify: ${ratio >= 0.25 ? 'PASS' : 'FALLS SHORT'} (${pct(ratio)})`,
    );
    console.log(
      `GOAL [${kind}] p99 ≤ 10 ms at ${CONNECTIONS} connections: ${worstP99 <= 10 ? 'PASS' : 'FALLS SHORT'} (worst ${worstP99} ms, ${worst.name}; bare Fastify p99 ${Math.max(...r.figures.map((f) => f.bare.p99))} ms)`,
    );
    console.log(
      `GOAL [${kind}] no audit write lost: ${r.lost === 0 && q.route.non2xx === 0 ? 'PASS' : 'FALLS SHORT'} (${r.ok} 2xx answers, ${r.generated} query.generated events${r.generated > r.ok ? `; ${r.generated - r.ok} more from requests cut off at the deadline` : ''}${q.route.non2xx ? `; ${q.route.non2xx} non-2xx` : ''})`,
    );
    console.log(
      `GOAL [${kind}] server RSS ≤ 200 MB under load: ${r.rssPeak <= 200 ? 'PASS' : 'FALLS SHORT'} (peak ${r.rssPeak} MB)`,
    );
  }
} finally {
  await sandbox.close();
}
