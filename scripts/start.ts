/**
 * `npm start` (and `npm run dev`): the whole console on one machine, demo profile.
 *
 *   sandbox  SCIM 2.0 provider + OAuth/OIDC server   http://127.0.0.1:8090
 *   server   console API, serving the built web app   http://127.0.0.1:8080
 *   web      (dev only) Vite with hot reload          http://127.0.0.1:5173
 *
 * The sandbox and the server share one generated demo password and one generated
 * OAuth client secret per start, so the printed credentials work everywhere.
 * Ctrl+C stops every child and waits for them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dev = process.argv.includes('--dev');

const ports = {
  sandbox: Number(process.env.SANDBOX_PORT ?? 8090),
  server: Number(process.env.PORT ?? 8080),
  web: Number(process.env.WEB_PORT ?? 5173),
};
const host = '127.0.0.1';
const appPort = dev ? ports.web : ports.server;
const appUrl = `http://${host}:${appPort}`;
const sandboxUrl = `http://${host}:${ports.sandbox}`;

const demoPassword = process.env.DEMO_PASSWORD ?? randomBytes(9).toString('base64url');
const clientSecret = process.env.SANDBOX_CLIENT_SECRET ?? randomBytes(24).toString('base64url');

function fail(message: string): never {
  console.error(`\nscim-console: ${message}`);
  process.exit(1);
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer()
      .once('error', () => done(false))
      .once('listening', () => probe.close(() => done(true)))
      .listen(port, host);
  });
}

/** Newest modification time under a folder, to decide whether the web build is stale. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function buildWebIfStale(): void {
  const web = join(root, 'apps/web');
  const builtIndex = join(web, 'dist/index.html');
  const sources = [join(web, 'src'), join(root, 'packages/scim/src')].filter(existsSync);
  const newestSource = Math.max(...sources.map(newestMtime), statSync(join(web, 'index.html')).mtimeMs);
  if (existsSync(builtIndex) && statSync(builtIndex).mtimeMs >= newestSource) return;
  console.log('Building the web app (apps/web → apps/web/dist)…');
  const build = spawnSync('npm', ['run', 'build', '-w', '@scim-console/web'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) fail('the web app did not build; see the output above.');
}

const children: { name: string; child: ChildProcess }[] = [];
let stopping = false;

function startChild(name: string, args: string[], env: NodeJS.ProcessEnv, cwd = root): ChildProcess {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${name}]`.padEnd(10);
  const relay = (stream: NodeJS.ReadableStream, out: NodeJS.WriteStream) => {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) out.write(`${prefix}${line}\n`);
    });
  };
  relay(child.stdout!, process.stdout);
  relay(child.stderr!, process.stderr);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`${prefix}stopped unexpectedly (${signal ?? `exit code ${code}`}); stopping the rest.`);
    void stopAll(1);
  });
  children.push({ name, child });
  return child;
}

async function waitFor(url: string, name: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  console.error(`${name} did not become ready at ${url} within ${timeoutMs / 1000} s.`);
  await stopAll(1);
}

async function stopAll(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    children.map(
      ({ child }) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          const force = setTimeout(() => child.kill('SIGKILL'), 8_000);
          child.once('exit', () => {
            clearTimeout(force);
            done();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  process.exit(code);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

for (const [name, port] of Object.entries(ports)) {
  if (name === 'web' && !dev) continue;
  if (!(await portIsFree(port))) {
    const variable = { sandbox: 'SANDBOX_PORT', server: 'PORT', web: 'WEB_PORT' }[name];
    fail(
      `port ${port} (${name}) is already in use on ${host}. Stop whatever uses it, or choose another port: ${variable}=<port> npm ${dev ? 'run dev' : 'start'}.`,
    );
  }
}

mkdirSync(join(root, 'data'), { recursive: true });
if (!dev) buildWebIfStale();

const consoleOrigins = [`http://${host}:${appPort}`, `http://localhost:${appPort}`].join(',');
const redirectUris = [
  `${appUrl}/api/token/oauth/callback`,
  `${appUrl}/api/auth/oidc/callback`,
  `http://localhost:${appPort}/api/token/oauth/callback`,
  `http://localhost:${appPort}/api/auth/oidc/callback`,
].join(',');

startChild('sandbox', ['--import', 'tsx', 'apps/sandbox/src/main.ts'], {
  SANDBOX_PORT: String(ports.sandbox),
  SANDBOX_PASSWORD: demoPassword,
  SANDBOX_CLIENT_SECRET: clientSecret,
  SANDBOX_CORS_ORIGINS: process.env.SANDBOX_CORS_ORIGINS ?? consoleOrigins,
  SANDBOX_REDIRECT_URIS: process.env.SANDBOX_REDIRECT_URIS ?? redirectUris,
});
await waitFor(`${sandboxUrl}/oidc/.well-known/openid-configuration`, 'The sandbox');

startChild('server', [...(dev ? ['--watch'] : []), '--import', 'tsx', 'apps/server/src/main.ts'], {
  SCIM_CONSOLE_PROFILE: process.env.SCIM_CONSOLE_PROFILE ?? 'demo',
  HOST: host,
  PORT: String(ports.server),
  PUBLIC_URL: process.env.PUBLIC_URL ?? appUrl,
  DEMO_PASSWORD: demoPassword,
  SANDBOX_URL: sandboxUrl,
  SANDBOX_CLIENT_SECRET: clientSecret,
  ...(dev ? {} : { WEB_DIST: join(root, 'apps/web/dist') }),
});
await waitFor(`http://${host}:${ports.server}/readyz`, 'The server');

if (dev) {
  startChild(
    'web',
    [join(root, 'node_modules/vite/bin/vite.js'), '--port', String(ports.web), '--strictPort'],
    { SCIM_CONSOLE_API_URL: `http://${host}:${ports.server}` },
    join(root, 'apps/web'),
  );
  await waitFor(appUrl, 'The web dev server');
}

if (!stopping) {
  console.log(`
SCIM Console is ready (${dev ? 'development, hot reload' : 'demo profile'}).

  Open            ${appUrl}
  Sign in as      admin · operator · auditor · viewer
  Password        ${demoPassword}   (every demo account, here and at the sandbox's sign-in page)
  Sandbox SCIM    ${sandboxUrl}/scim/v2  (its personal API tokens are printed above by [sandbox])
  API docs        http://${host}:${ports.server}/api/docs

Press Ctrl+C to stop.
`);
}
