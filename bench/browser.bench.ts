/**
 * Browser (issue 9, item 3), in Chromium (playwright-core, /usr/bin/chromium, fresh profile).
 *
 * A. Results table: the web app's own `ResultsTable` (TanStack Table + Virtual, the app's CSS,
 *    default User columns) in a small Vite-built page (bench/lib/browser-harness), fed 1k / 10k
 *    / 100k sandbox users (`generateDirectory`, the sandbox's seed data). Timed from data
 *    arrival (rows parsed, handed to the view) to a painted table, then a scroll to the middle
 *    until painted ("interactive" = both). Baseline in the same page and run: the same rows
 *    and columns as a plain `<table>` with every row in the DOM. Memory: JSHeapUsedSize (CDP
 *    Performance.getMetrics, after a forced GC) with the table shown, minus before.
 *    The web app has no performance marks of its own, so the table is measured in this page
 *    rather than inside the running app (no app code changed).
 * B. Initial JS: the built app (a snapshot of apps/web/dist) served by the real server with
 *    the sandbox; every script response is recorded from the network, gzipped here (level 6,
 *    the usual server default — the server itself sends them uncompressed) and summed: the login
 *    page, then sign-in up to the Query page. The goal counts the entry chunk plus the chunks it
 *    imports statically (lazy page chunks excluded).
 *
 *   node --import tsx bench/browser.bench.ts [--rounds=5]
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { generateDirectory, startSandbox } from '../apps/sandbox/src/index.ts';
import { auditDatabase } from './lib/audit-cache.ts';
import { BENCH_PASSWORD } from './lib/bench-env.ts';
import { freePort, startServerProcess } from './lib/server-harness.ts';

/** What bench/lib/browser-harness/main.jsx puts on window. */
interface HarnessWindow {
  bench: {
    load(url: string): Promise<number>;
    measure(kind: 'virtual' | 'plain'): Promise<Measure>;
    clear(): void;
  };
}
const ROUNDS = Number(process.argv.find((a) => a.startsWith('--rounds='))?.split('=')[1] ?? 5);
const SIZES = [1_000, 10_000, 100_000];
/** A plain table of 100k rows takes minutes here and may crash the tab: opt in. */
const PLAIN_100K = process.argv.includes('--plain-100k');
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

const work = mkdtempSync(join(tmpdir(), 'scim-console-browser-bench-'));

async function launch(): Promise<BrowserContext> {
  return chromium.launchPersistentContext(join(work, `profile-${Date.now()}`), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 900 },
  });
}

function serveDir(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const types: Record<string, string> = {
    '.html': 'text/html',
    '.js': 'text/javascript',
    '.css': 'text/css',
    '.json': 'application/json',
    '.woff2': 'font/woff2',
    '.svg': 'image/svg+xml',
  };
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0]!)).replace(
      /^(\.\.[/\\])+/,
      '',
    );
    try {
      const body = readFileSync(join(dir, path === '/' ? 'index.html' : path));
      res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

/** JS heap in use and DOM nodes, after a forced GC. */
async function memory(page: Page): Promise<{ heap: number; nodes: number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  const get = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
  return { heap: get('JSHeapUsedSize'), nodes: get('Nodes') };
}

interface Measure {
  paintMs: number;
  scrollMs: number;
  totalMs: number;
  scrollable: boolean;
  domRows: number;
}

async function tablePart(): Promise<{ virtual10k: number }> {
  // Rows: the sandbox's own seed data, as the SCIM API would return them.
  const all = generateDirectory({ users: Math.max(...SIZES), seed: 42 }).users;
  const dist = join(work, 'harness');
  await build({
    root: join(import.meta.dirname, 'lib/browser-harness'),
    base: './',
    logLevel: 'warn',
    plugins: [react()],
    build: { outDir: dist, emptyOutDir: true, sourcemap: false },
  });
  for (const n of SIZES)
    writeFileSync(join(dist, `rows-${n}.json`), JSON.stringify(all.slice(0, n)));
  const site = await serveDir(dist);
  const context = await launch();
  let virtual10k = NaN;
  try {
    const page = await context.newPage();
    await page.goto(`${site.url}/index.html`);
    await page.waitForFunction(() => 'bench' in globalThis);
    console.log(
      '\n  results table: data arrival → painted → scrolled to the middle and painted (median of rounds)',
    );
    console.log(
      '  rows      view                    painted    scroll frame   interactive   <tr> in DOM  +DOM nodes  +JS heap   rounds',
    );
    for (const n of SIZES) {
      const figures: Record<'virtual' | 'plain', { m: Measure[]; heap: number; nodes: number }> = {
        virtual: { m: [], heap: 0, nodes: 0 },
        plain: { m: [], heap: 0, nodes: 0 },
      };
      const plain = n < 100_000 || PLAIN_100K;
      // The plain table is slow (seconds at 10k): fewer rounds for it; rounds alternate the order.
      for (let i = 0; i < ROUNDS; i++) {
        const kinds: ('virtual' | 'plain')[] = i % 2 ? ['plain', 'virtual'] : ['virtual', 'plain'];
        for (const kind of kinds) {
          if (kind === 'plain' && (!plain || (n >= 10_000 && i >= 1))) continue;
          await page.evaluate(() => (globalThis as unknown as HarnessWindow).bench.clear());
          await page.evaluate(
            (url) => (globalThis as unknown as HarnessWindow).bench.load(url),
            `rows-${n}.json`,
          );
          const before = await memory(page);
          const m = await page.evaluate(
            (k) => (globalThis as unknown as HarnessWindow).bench.measure(k),
            kind,
          );
          const after = await memory(page);
          figures[kind].m.push(m);
          figures[kind].heap = Math.max(figures[kind].heap, after.heap - before.heap);
          figures[kind].nodes = Math.max(figures[kind].nodes, after.nodes - before.nodes);
        }
      }
      const med = (kind: 'virtual' | 'plain') => {
        const ms = figures[kind].m;
        if (ms.length === 0) return null;
        return {
          paint: median(ms.map((x) => x.paintMs)),
          scroll: median(ms.map((x) => x.scrollMs)),
          total: median(ms.map((x) => x.totalMs)),
          domRows: ms[0]!.domRows,
          scrollable: ms.every((x) => x.scrollable),
        };
      };
      const v = med('virtual');
      const p = med('plain');
      if (n === 10_000) virtual10k = v!.total;
      for (const [name, f, kind] of [
        ['ResultsTable (virtual)', v, 'virtual'],
        ['plain <table>', p, 'plain'],
      ] as const) {
        if (!f) {
          console.log(
            `  ${String(n).padStart(7)}   ${name.padEnd(22)} not measured (--plain-100k to try; 10k already takes seconds)`,
          );
          continue;
        }
        console.log(
          `  ${String(n).padStart(7)}   ${name.padEnd(22)} ${f.paint.toFixed(0).padStart(6)} ms ${f.scroll.toFixed(0).padStart(10)} ms ${f.total.toFixed(0).padStart(10)} ms ${String(f.domRows).padStart(10)} ${String(figures[kind].nodes).padStart(10)}   ${kb(figures[kind].heap).padStart(12)}   ${figures[kind].m.length}${f.scrollable ? '' : '  (not scrollable!)'}`,
        );
      }
      if (p)
        console.log(
          `  ${String(n).padStart(7)}   virtual / plain: interactive ${(v!.total / p.total).toFixed(3)}×, DOM nodes ${(figures.virtual.nodes / figures.plain.nodes).toFixed(3)}×`,
        );
      await page.evaluate(() => (globalThis as unknown as HarnessWindow).bench.clear());
    }
  } finally {
    await context.close();
    await site.close();
  }
  return { virtual10k };
}

async function initialJsPart(): Promise<{ initialGz: number }> {
  const webDist = join(work, 'web-dist');
  cpSync(join(import.meta.dirname, '../apps/web/dist'), webDist, { recursive: true });
  const indexHtml = readFileSync(join(webDist, 'index.html'), 'utf8');
  const entry = /<script type="module"[^>]*src="([^"]+)"/.exec(indexHtml)![1]!;
  const sandbox = await startSandbox({ port: 0, users: 200, password: 'bench-sandbox', env: {} });
  const database = await auditDatabase('sqlite', 10_000);
  const port = await freePort();
  const server = await startServerProcess(database.config, sandbox.url, { webDist, port });
  const context = await launch();
  let initialGz = NaN;
  try {
    const page = await context.newPage();
    const scripts = new Map<string, { phase: string; raw: number; gz: number; body: string }>();
    let phase = 'login page';
    page.on('response', async (response) => {
      if (response.request().resourceType() !== 'script') return;
      const body = await response.body().catch(() => null);
      if (!body) return;
      const path = new URL(response.url()).pathname;
      if (!scripts.has(path))
        scripts.set(path, {
          phase,
          raw: body.length,
          gz: gzipSync(body, { level: 6 }).length,
          body: body.toString('utf8'),
        });
    });
    await page.goto(`${server.url}/login`, { waitUntil: 'networkidle' });
    phase = 'sign-in → Query page';
    await page.getByLabel('Username').fill('operator');
    await page.getByLabel('Password').fill(BENCH_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(500);

    // The entry and what it imports statically (transitively); everything else is a lazy chunk.
    const staticSet = new Set<string>();
    const visit = (path: string) => {
      if (staticSet.has(path) || !scripts.has(path)) return;
      staticSet.add(path);
      const code = scripts.get(path)!.body;
      for (const m of code.matchAll(
        /(?:^|[;}\n])\s*import\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']([^"']+\.js)["']/g,
      ))
        visit(new URL(m[1]!, `http://x${path}`).pathname);
    };
    visit(entry);
    console.log('\n  JavaScript from the network (gzip level 6 of each response body)');
    console.log(
      '  phase                   file                                   raw        gzip   kind',
    );
    for (const [path, s] of scripts)
      console.log(
        `  ${s.phase.padEnd(22)}  ${path.padEnd(36)} ${kb(s.raw).padStart(10)} ${kb(s.gz).padStart(10)}   ${staticSet.has(path) ? 'entry/static' : path.endsWith('theme-init.js') ? 'classic script' : 'lazy chunk'}`,
      );
    const sum = (f: (p: string, s: { phase: string }) => boolean) =>
      [...scripts].filter(([p, s]) => f(p, s)).reduce((a, [, s]) => a + s.gz, 0);
    initialGz = sum((p) => staticSet.has(p) || p.endsWith('theme-init.js'));
    console.log(
      `  login page total ${kb(sum((_, s) => s.phase === 'login page'))} gzip; sign-in → Query page adds ${kb(sum((_, s) => s.phase !== 'login page'))} gzip; entry + static imports + theme-init ${kb(initialGz)} gzip`,
    );
  } finally {
    await context.close();
    await server.close();
    await database.drop();
    await sandbox.close();
  }
  return { initialGz };
}

console.log('browser bench (Chromium, headless, fresh profile)');
try {
  const { virtual10k } = await tablePart();
  const { initialGz } = await initialJsPart();
  console.log(
    `GOAL 10k rows interactive ≤ 200 ms: ${virtual10k <= 200 ? 'PASS' : 'FALLS SHORT'} (${virtual10k.toFixed(0)} ms from data arrival to a painted table scrolled to the middle)`,
  );
  console.log(
    `GOAL initial JS ≤ 200 KB gzipped: ${initialGz <= 200 * 1024 ? 'PASS' : 'FALLS SHORT'} (${kb(initialGz)}: entry chunk + static imports + theme-init.js)`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
