/**
 * The built web app that nginx serves in deploy tests. When apps/web has its
 * entry point (index.html + src/main.tsx) it is built for real with Vite into a scratch directory (the
 * repository's apps/web/dist is left alone); otherwise a small fixture with
 * the same shape (index.html + hashed assets) stands in.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_APP_DIR = fileURLToPath(new URL('../../apps/web', import.meta.url));

export interface WebDist {
  dir: string;
  kind: 'vite-build' | 'fixture';
  /** Path of one hashed JavaScript asset, e.g. /assets/index-3f2a1b.js */
  scriptAsset: string;
}

export async function prepareWebDist(outDir: string): Promise<WebDist> {
  if (
    existsSync(join(WEB_APP_DIR, 'index.html')) &&
    existsSync(join(WEB_APP_DIR, 'src', 'main.tsx'))
  ) {
    const { build } = await import('vite');
    await build({
      root: WEB_APP_DIR,
      configFile: join(WEB_APP_DIR, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, sourcemap: false },
    });
    // The entry bundle index.html loads (large enough to be compressed).
    const entry = /<script type="module"[^>]* src="(\/assets\/[^"]+\.js)"/.exec(
      readFileSync(join(outDir, 'index.html'), 'utf8'),
    )?.[1];
    if (!entry) throw new Error('the Vite build produced no entry script in index.html');
    return { dir: outDir, kind: 'vite-build', scriptAsset: entry };
  }
  mkdirSync(join(outDir, 'assets'), { recursive: true });
  const script = 'index-B7f3k9Qa.js';
  writeFileSync(
    join(outDir, 'index.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SCIM Console</title>` +
      `<script type="module" crossorigin src="/assets/${script}"></script></head>` +
      `<body><div id="root"></div></body></html>\n`,
  );
  // Large enough (> gzip_min_length) to be compressed.
  writeFileSync(
    join(outDir, 'assets', script),
    `const rows = ${JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ id: i, userName: `user${i}@example.com` })))};\n` +
      `document.getElementById('root').textContent = rows.length + ' users';\n`,
  );
  return { dir: outDir, kind: 'fixture', scriptAsset: `/assets/${script}` };
}
