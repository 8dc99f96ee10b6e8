/**
 * The built web app that nginx serves in deploy tests: apps/web built for real
 * with Vite (its own vite.config.ts) into a scratch directory, so the
 * repository's apps/web/dist is left alone. A build failure fails the tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_APP_DIR = fileURLToPath(new URL('../../apps/web', import.meta.url));

export interface WebDist {
  dir: string;
  /** Path of the entry bundle index.html loads, e.g. /assets/index-3f2a1b.js */
  scriptAsset: string;
}

export async function prepareWebDist(outDir: string): Promise<WebDist> {
  const { build } = await import('vite');
  await build({
    root: WEB_APP_DIR,
    configFile: join(WEB_APP_DIR, 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
  // The entry bundle (large enough to be compressed).
  const entry = /<script type="module"[^>]* src="(\/assets\/[^"]+\.js)"/.exec(
    readFileSync(join(outDir, 'index.html'), 'utf8'),
  )?.[1];
  if (!entry) throw new Error('the Vite build produced no entry script in index.html');
  return { dir: outDir, scriptAsset: entry };
}
