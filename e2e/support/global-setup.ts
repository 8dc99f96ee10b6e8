/**
 * Builds the web app once (`npm run build -w @scim-console/web`) unless apps/web/dist is
 * newer than its sources and the SCIM library it bundles.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './stack.ts';

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    max = Math.max(max, newest(join(path, entry)));
  }
  return max;
}

function sourcesNewest(web: string): number {
  return Math.max(
    newest(join(web, 'src')),
    newest(join(web, 'public')),
    newest(join(web, 'index.html')),
    newest(join(web, 'vite.config.ts')),
    newest(join(ROOT, 'packages/scim/src')),
  );
}

export default async function globalSetup(): Promise<void> {
  const web = join(ROOT, 'apps/web');
  const built = join(web, 'dist/index.html');
  const fresh = () => existsSync(built) && statSync(built).mtimeMs >= sourcesNewest(web);
  // Another build (npm start, a developer) may hold Vite's lock: wait for it and try again.
  for (let attempt = 1; attempt <= 4; attempt++) {
    if (fresh()) return;
    const res = spawnSync('npm', ['run', 'build', '-w', '@scim-console/web'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    if (res.status === 0) return;
    await new Promise((r) => setTimeout(r, 5_000 * attempt));
  }
  throw new Error('the web app did not build (npm run build -w @scim-console/web)');
}
