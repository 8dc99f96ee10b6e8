/**
 * Child process for the server bench: the real console server (`buildApp(loadConfig(…))`, the
 * demo profile with the sandbox as its connections, as `npm start` runs it) and, in the same
 * process, a bare Fastify instance with one `GET /bare` JSON route — the baseline, under the
 * same CPU share and event loop conditions. A separate process so that the RSS it reports is
 * the server's alone (the load generator runs in the parent).
 *
 * Started by server-harness.ts with BENCH_SERVER = JSON { database, sandboxUrl, webDist?, port? }. Messages:
 *  → parent { type: 'ready', port, barePort }
 *  ← { type: 'rss-reset' } / { type: 'rss-read' } → { type: 'rss', peak, current } (MB, sampled every 50 ms)
 *  ← { type: 'close' } → closes both servers and exits.
 */
import Fastify from 'fastify';
import { buildApp } from '../../apps/server/src/app.ts';
import { loadConfig, type DatabaseConfig } from '../../apps/server/src/config.ts';
import { seedDemoConnections } from '../../apps/server/src/modules/connections/connections.seed.ts';
import { BENCH_ENV } from './bench-env.ts';

const spec = JSON.parse(process.env.BENCH_SERVER ?? '{}') as {
  database: DatabaseConfig;
  sandboxUrl: string;
  /** The browser bench: serve this built web app, on this port (PUBLIC_URL must match the origin). */
  webDist?: string;
  port?: number;
};
const config = {
  ...loadConfig({
    ...BENCH_ENV,
    SANDBOX_URL: spec.sandboxUrl,
    ...(spec.port ? { PUBLIC_URL: `http://127.0.0.1:${spec.port}` } : {}),
    ...(spec.webDist ? { WEB_DIST: spec.webDist } : {}),
  }),
  database: spec.database,
};
const app = await buildApp(config);
await seedDemoConnections(app.db, config);
await app.listen({ host: '127.0.0.1', port: spec.port ?? 0 });

const bare = Fastify({ logger: false });
bare.get('/bare', async () => ({ ok: true, at: new Date().toISOString() }));
await bare.listen({ host: '127.0.0.1', port: 0 });

const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss());
}, 50);

process.on('message', (m: { type: string }) => {
  if (m.type === 'rss-reset') peak = process.memoryUsage.rss();
  else if (m.type === 'rss-read') {
    const current = process.memoryUsage.rss();
    process.send!({ type: 'rss', peak: mb(Math.max(peak, current)), current: mb(current) });
  } else if (m.type === 'close') {
    clearInterval(sampler);
    void Promise.allSettled([app.close(), bare.close()]).then(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));

const port = (app.server.address() as { port: number }).port;
const barePort = (bare.server.address() as { port: number }).port;
process.send!({ type: 'ready', port, barePort });
