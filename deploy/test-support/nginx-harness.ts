/**
 * Runs the web image's nginx template under Debian's nginx, the way the image's
 * entrypoint would: render deploy/nginx/default.conf.template with envsubst
 * semantics, put it in conf.d/ next to a minimal nginx.conf modelled on the
 * nginx-unprivileged image (temp paths and pid outside the package paths), and
 * start nginx in the foreground on 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NGINX_BIN = '/usr/sbin/nginx';
export const TEMPLATE_PATH = fileURLToPath(
  new URL('../nginx/default.conf.template', import.meta.url),
);
/** The variables the image substitutes (NGINX_ENVSUBST_FILTER in web.Dockerfile). */
export const TEMPLATE_VARIABLES = [
  'LISTEN_PORT',
  'SERVER_UPSTREAM',
  'SCIM_CONNECT_SRC',
  'HSTS_VALUE',
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];
const IMAGE_WEB_ROOT = 'root /usr/share/nginx/html;';

/**
 * envsubst with an explicit variable list (what 20-envsubst-on-templates.sh
 * does): `$NAME` and `${NAME}` are replaced for the listed names only; every
 * other `$word` is left for nginx.
 */
export function envsubst(text: string, vars: Record<string, string>): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, braced, bare) => {
      const name = (braced ?? bare) as string;
      return Object.hasOwn(vars, name) ? (vars[name] as string) : whole;
    },
  );
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export interface NginxInstance {
  port: number;
  origin: string;
  pid: number;
  /** The rendered default.conf, as the image would have it in /etc/nginx/conf.d. */
  renderedConf: string;
  /** What nginx wrote to its error log (stderr) so far. */
  errorLog(): string;
  stop(): Promise<void>;
}

export interface StartNginxOptions {
  /** Scratch directory (becomes the nginx prefix); its parents must be world-traversable. */
  dir: string;
  /** Directory holding the built app (index.html, assets/). */
  webRoot: string;
  /** host:port of the console server; several for replicas (round-robin, like a Service). */
  upstream: string | string[];
  vars?: Partial<Record<TemplateVariable, string>>;
  /** Port to listen on (127.0.0.1); a free one when omitted. */
  port?: number;
}

export async function startNginx(options: StartNginxOptions): Promise<NginxInstance> {
  const { dir, webRoot } = options;
  const upstreams = ([] as string[]).concat(options.upstream);
  if (upstreams.length === 0) throw new Error('at least one upstream is required');
  const port = options.port ?? (await freePort());
  const vars: Record<TemplateVariable, string> = {
    LISTEN_PORT: `127.0.0.1:${port}`,
    SERVER_UPSTREAM: upstreams[0]!,
    SCIM_CONNECT_SRC: '',
    HSTS_VALUE: 'max-age=31536000',
    ...options.vars,
  };
  const template = readFileSync(TEMPLATE_PATH, 'utf8');
  if (!template.includes(IMAGE_WEB_ROOT))
    throw new Error(`template no longer contains "${IMAGE_WEB_ROOT}"`);
  // The image serves /usr/share/nginx/html; here the web root is the test's build.
  let renderedConf = envsubst(template, vars).replace(IMAGE_WEB_ROOT, `root ${webRoot};`);
  if (upstreams.length > 1) {
    // In Kubernetes one Service address stands for every replica; here each
    // replica is listed in the upstream block instead.
    const line = `    server ${upstreams[0]};`;
    if (!renderedConf.includes(line))
      throw new Error('upstream server line not found in the template');
    renderedConf = renderedConf.replace(line, upstreams.map((u) => `    server ${u};`).join('\n'));
  }

  // Workers drop to nobody when the test runs as root: they must reach the
  // files, so the scratch directory (and the caller's, from mkdtemp) is 0755.
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'conf.d'), { recursive: true });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  writeFileSync(join(dir, 'conf.d', 'default.conf'), renderedConf);
  const asRoot = process.getuid?.() === 0;
  writeFileSync(
    join(dir, 'nginx.conf'),
    [
      asRoot ? 'user nobody nogroup;' : '',
      'worker_processes 1;',
      'events { worker_connections 256; }',
      'http {',
      '  include /etc/nginx/mime.types;',
      '  default_type application/octet-stream;',
      `  access_log ${join(dir, 'logs', 'access.log')};`,
      `  client_body_temp_path ${join(dir, 'client_temp')};`,
      `  proxy_temp_path ${join(dir, 'proxy_temp')};`,
      `  fastcgi_temp_path ${join(dir, 'fastcgi_temp')};`,
      `  uwsgi_temp_path ${join(dir, 'uwsgi_temp')};`,
      `  scgi_temp_path ${join(dir, 'scgi_temp')};`,
      '  sendfile on;',
      `  include ${join(dir, 'conf.d')}/*.conf;`,
      '}',
      '',
    ].join('\n'),
  );

  const pidFile = join(dir, 'nginx.pid');
  const args = [
    '-p',
    `${dir}/`,
    '-c',
    join(dir, 'nginx.conf'),
    '-g',
    `daemon off; pid ${pidFile}; error_log stderr;`,
  ];
  const test = spawn(NGINX_BIN, [...args, '-t'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const testOutput = await collect(test);
  if (testOutput.code !== 0)
    throw new Error(`nginx -t rejected the rendered template:\n${testOutput.stderr}`);

  const child = spawn(NGINX_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const origin = `http://127.0.0.1:${port}`;
  await waitUntilServing(origin, child, () => stderr);
  const pid = child.pid as number;
  return {
    port,
    origin,
    pid,
    renderedConf,
    errorLog: () => stderr,
    stop: () => stopProcess(child),
  };
}

function collect(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

async function waitUntilServing(
  origin: string,
  child: ChildProcess,
  stderr: () => string,
): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}):\n${stderr()}`);
    try {
      const res = await fetch(`${origin}/nginx-health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await stopProcess(child);
  throw new Error(`nginx did not start within 10 s:\n${stderr()}`);
}

/** Graceful stop of the master by its PID (SIGQUIT), SIGKILL after 5 s. */
export function stopProcess(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGQUIT',
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}
