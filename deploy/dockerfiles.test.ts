/**
 * The two images checked for the practices docs/deploy.md promises, by reading
 * the Dockerfiles (no container engine runs on these machines): multi-stage,
 * pinned bases, non-root final stage, health check, lockfile installs, no
 * secrets in build arguments, and a build context that leaves local state out.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  dockerignoreMatcher,
  execForm,
  parseEnv,
  readDockerfile,
  type Stage,
} from './test-support/dockerfile-parser.ts';
import { TEMPLATE_VARIABLES } from './test-support/nginx-harness.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const server = readDockerfile(`${ROOT}deploy/server.Dockerfile`);
const web = readDockerfile(`${ROOT}deploy/web.Dockerfile`);
const dockerignore = readFileSync(`${ROOT}.dockerignore`, 'utf8');
const ignored = dockerignoreMatcher(dockerignore);

const all = (stage: Stage, keyword: string) =>
  stage.instructions.filter((i) => i.keyword === keyword);
const envOf = (stage: Stage) =>
  Object.assign({}, ...all(stage, 'ENV').map((i) => parseEnv(i.args))) as Record<string, string>;
const runs = (stage: Stage) => all(stage, 'RUN').map((i) => i.args);

describe.each([
  ['server', server],
  ['web', web],
] as const)('%s image', (name, file) => {
  const final = file.stages.at(-1)!;

  it('is multi-stage and the final stage copies from the build stage', () => {
    expect(file.stages.length).toBeGreaterThanOrEqual(2);
    const buildNames = file.stages.slice(0, -1).map((s) => s.name);
    const copiesFrom = all(final, 'COPY')
      .map((i) => /--from=(\S+)/.exec(i.args)?.[1])
      .filter(Boolean);
    expect(copiesFrom.length).toBeGreaterThan(0);
    for (const from of copiesFrom) expect(buildNames).toContain(from);
  });

  it('pins every base image to an exact version tag (optionally a digest), never latest', () => {
    const stageNames = new Set(file.stages.map((s) => s.name));
    for (const stage of file.stages) {
      if (stageNames.has(stage.from)) continue;
      const m = /^([^:@]+):([^@]+)(@sha256:[0-9a-f]{64})?$/.exec(stage.from);
      expect(m, `${stage.from} has no tag`).not.toBeNull();
      expect(m![2], stage.from).not.toMatch(/latest|^stable|^mainline|^lts|^current/);
      // major.minor.patch: a tag like 20-slim or 1.30 moves under you.
      expect(m![2], stage.from).toMatch(/^\d+\.\d+\.\d+-[a-z0-9.-]+$/);
    }
  });

  it('runs the final stage as a numeric non-root user', () => {
    const users = all(final, 'USER');
    expect(users.length, 'USER in the final stage').toBeGreaterThan(0);
    const user = users.at(-1)!.args.split(':')[0]!;
    expect(user).toMatch(/^\d+$/); // numeric, so Kubernetes can check runAsNonRoot
    expect(Number(user)).toBeGreaterThan(0);
  });

  it('has a HEALTHCHECK in the final stage', () => {
    expect(all(final, 'HEALTHCHECK')).toHaveLength(1);
    expect(all(final, 'HEALTHCHECK')[0]!.args).toMatch(/--interval=\d+s .*--timeout=\d+s/);
  });

  it('installs dependencies from the lockfile with npm ci', () => {
    const npmRuns = file.stages.flatMap(runs).filter((r) => /\bnpm (ci|install|i)\b/.test(r));
    expect(npmRuns.some((r) => /\bnpm ci\b/.test(r))).toBe(true);
    for (const r of npmRuns) {
      // The only `npm install` allowed is the server's guarded, pinned, unsaved tsx fallback.
      for (const m of r.matchAll(/\bnpm (install|i)\b([^;&|]*)/g))
        expect(m[2]).toMatch(/--no-save .*"tsx@\$\(node -p/);
    }
    for (const stage of file.stages) {
      const copies = all(stage, 'COPY').map((i) => i.args);
      const ciIndex = stage.instructions.findIndex(
        (i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args),
      );
      if (ciIndex < 0) continue;
      // The lockfile is present before npm ci runs.
      expect(copies.some((c) => c.includes('package-lock.json'))).toBe(true);
      const sourceCopyIndex = stage.instructions.findIndex(
        (i) =>
          i.keyword === 'COPY' &&
          /^(packages|apps)\/\S+ /.test(i.args) &&
          !i.args.includes('package.json'),
      );
      // Dependencies are installed before the sources are copied (layer cache).
      expect(sourceCopyIndex).toBeGreaterThan(ciIndex);
    }
  });

  it('passes no secrets through ARG, ENV or the build', () => {
    for (const stage of file.stages) {
      for (const ins of stage.instructions) {
        if (ins.keyword === 'ARG')
          expect(ins.args, `line ${ins.line}`).not.toMatch(
            /TOKEN|SECRET|PASSWORD|KEY|CREDENTIAL|AUTH/i,
          );
        if (ins.keyword === 'ENV')
          for (const k of Object.keys(parseEnv(ins.args)))
            expect(k).not.toMatch(/TOKEN|SECRET|PASSWORD|_KEY|CREDENTIAL/);
        if (ins.keyword === 'RUN') expect(ins.args).not.toMatch(/_authToken|NPM_TOKEN|\.npmrc/);
      }
    }
  });

  it('copies only sources that exist and that .dockerignore lets through', () => {
    for (const stage of file.stages) {
      for (const ins of all(stage, 'COPY')) {
        if (ins.args.includes('--from=')) continue;
        const parts = ins.args.split(/\s+/).filter((p) => !p.startsWith('--'));
        for (const src of parts.slice(0, -1)) {
          expect(existsSync(`${ROOT}${src}`), `${name}: COPY ${src} (line ${ins.line})`).toBe(true);
          expect(ignored(src), `${name}: COPY ${src} is excluded by .dockerignore`).toBe(false);
        }
      }
    }
  });

  it('keeps package lists out of the image layers', () => {
    for (const r of file.stages.flatMap(runs).filter((r) => r.includes('apt-get install'))) {
      expect(r).toContain('--no-install-recommends');
      expect(r).toContain('rm -rf /var/lib/apt/lists/*');
    }
  });
});

describe('server image', () => {
  const [build, final] = [server.stages[0]!, server.stages.at(-1)!];

  it('compiles native addons in the build stage and installs production dependencies of the server only', () => {
    const apt = runs(build).find((r) => r.includes('apt-get install'))!;
    for (const tool of ['python3', 'make', 'g++']) expect(apt.split(/\s+/)).toContain(tool);
    expect(runs(build).join('\n')).toMatch(/npm ci --omit=dev --workspace @scim-console\/server/);
    // Build tools do not reach the runtime stage.
    expect(runs(final).join('\n')).not.toMatch(/\bg\+\+|\bmake\b|python3/);
  });

  it('starts the way `npm start -w @scim-console/server` does, under tini, in production mode', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}apps/server/package.json`, 'utf8')) as {
      scripts: { start: string };
    };
    const cmd = execForm(all(final, 'CMD').at(-1)!.args)!;
    expect(cmd.join(' ')).toBe(pkg.scripts.start);
    expect(all(final, 'WORKDIR').at(-1)!.args).toBe('/app/apps/server');
    expect(execForm(all(final, 'ENTRYPOINT').at(-1)!.args)).toEqual(['/usr/bin/tini', '--']);
    const env = envOf(final);
    expect(env.NODE_ENV).toBe('production');
    expect(env.SCIM_CONSOLE_PROFILE).toBe('production');
    expect(env.HOST).toBe('0.0.0.0');
    expect(all(final, 'EXPOSE')[0]!.args).toBe(env.PORT);
  });

  it('checks health with Node fetch against /healthz on the configured port', () => {
    const check = all(final, 'HEALTHCHECK')[0]!.args;
    const cmd = execForm(check.slice(check.indexOf('CMD') + 3))!;
    expect(cmd[0]).toBe('node');
    expect(cmd.join(' ')).toMatch(
      /fetch\('http:\/\/127\.0\.0\.1:' \+ \(process\.env\.PORT \|\| 8080\) \+ '\/healthz'\)/,
    );
  });

  it('keeps the application read-only and writes only to /tmp and the data volume', () => {
    // Files come from the build stage without --chown: owned by root, not writable by uid 1000.
    for (const c of all(final, 'COPY')) expect(c.args).not.toContain('--chown');
    expect(all(final, 'VOLUME')[0]!.args).toContain('/data');
    expect(envOf(final).SQLITE_PATH).toMatch(/^\/data\//);
  });
});

describe('web image', () => {
  const [build, final] = [web.stages[0]!, web.stages.at(-1)!];

  it('builds the web workspace with npm ci and npm run build, then serves dist with unprivileged nginx', () => {
    expect(build.from).toMatch(/^node:20\.\d+\.\d+-bookworm-slim/);
    expect(runs(build).join('\n')).toMatch(/npm ci --workspace @scim-console\/web/);
    expect(runs(build).join('\n')).toMatch(/npm run build -w @scim-console\/web/);
    expect(final.from).toMatch(/^nginxinc\/nginx-unprivileged:/);
    const copies = all(final, 'COPY').map((c) => c.args);
    expect(copies).toContain(
      'deploy/nginx/default.conf.template /etc/nginx/templates/default.conf.template',
    );
    expect(copies).toContain('--from=build /app/apps/web/dist /usr/share/nginx/html');
  });

  it('checks the template variables before the entrypoint renders the template', () => {
    const copy = all(final, 'COPY').find((c) => c.args.includes('/docker-entrypoint.d/'))!;
    // Executable (the entrypoint skips other files) and sorted before 20-envsubst-on-templates.sh.
    expect(copy.args).toMatch(/^--chmod=0?755 deploy\/nginx\/(\S+) \/docker-entrypoint\.d\/(\S+)$/);
    const name = copy.args.split('/').at(-1)!;
    expect(name < '20-envsubst-on-templates.sh').toBe(true);
    expect(name.endsWith('.sh')).toBe(true);
  });

  it('substitutes exactly the template variables and gives each a default', () => {
    const env = envOf(final);
    for (const v of TEMPLATE_VARIABLES) expect(Object.hasOwn(env, v), `ENV ${v}`).toBe(true);
    expect(env.NGINX_ENVSUBST_FILTER).toBe(`^(${TEMPLATE_VARIABLES.join('|')})$`);
    const filter = new RegExp(env.NGINX_ENVSUBST_FILTER!);
    for (const v of TEMPLATE_VARIABLES) expect(filter.test(v)).toBe(true);
    // Kubernetes service-link variables and nginx-like names are left alone.
    for (const other of ['SCIM_CONSOLE_SERVER_PORT', 'HOSTNAME', 'host', 'LISTEN_PORT_X'])
      expect(filter.test(other)).toBe(false);
  });
});

describe('.dockerignore', () => {
  it('keeps dependencies, build output, data, VCS, test results and local secrets out of the build context', () => {
    for (const path of [
      'node_modules',
      'apps/web/node_modules',
      'apps/web/dist',
      'data',
      'apps/server/data/scim-console.db',
      '.git',
      '.test-results',
      'test-results',
      'playwright-report',
      'e2e/screenshots/home.png',
      '.env',
      'apps/server/.env',
      '.env.production',
      'data/dev-keys.json',
      'server.pem',
    ]) {
      expect(ignored(path), path).toBe(true);
    }
    for (const path of [
      'package.json',
      'package-lock.json',
      'apps/server/src/main.ts',
      'apps/web/index.html',
      'deploy/nginx/default.conf.template',
      '.env.example',
    ]) {
      expect(ignored(path), path).toBe(false);
    }
  });
});
