/**
 * SCIM library benchmark: parse and format throughput of @scim-console/scim
 * against scim2-parse-filter (parse + stringify) and SCIMMY's filter parser
 * (`new SCIMMY.Types.Filter(text)`, which has no formatter), on the same corpus,
 * in the same process, in interleaved rounds (the order rotates every round so
 * no implementation always runs on a warmer or cooler machine). Batches are timed
 * in CPU time of this process (process.cpuUsage), so other load on a shared machine
 * does not count against whichever implementation it happened to overlap. Each
 * figure is the median over rounds of filters per CPU-second; ratios are the median
 * of per-round ratios.
 *
 *   node --import tsx bench/scim-library.bench.ts      (or npm run bench -w @scim-console/scim)
 *
 * Goal (issue 2): parse throughput ≥ 2× the fastest peer's. Reported, never failed.
 */
import { availableParallelism, cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
import * as scim2 from 'scim2-parse-filter';
import SCIMMY from 'scimmy';
import { formatFilter, parseFilter, type FilterNode } from '../packages/scim/src/index.ts';
import { SCIM_FILTER_CORPUS } from './lib/scim-filter-corpus.ts';

export interface BenchResult {
  readonly bench: 'scim-library';
  /** `parse` or `format`. */
  readonly operation: string;
  readonly implementation: string;
  /** Median filters per second over the rounds. */
  readonly opsPerSecond: number;
  /** ours / this implementation on the same operation: the median of per-round ratios (absent on our own rows). */
  readonly ratio?: number;
}

export interface ScimLibraryBenchOptions {
  readonly rounds?: number;
  /** Target duration of one timed batch, in milliseconds. */
  readonly batchMs?: number;
  readonly log?: (line: string) => void;
  /** `cpu` (default): CPU time of this process; `wall`: elapsed time (`--wall` on the command line). */
  readonly clock?: 'cpu' | 'wall';
}

interface Contender {
  readonly operation: 'parse' | 'format';
  readonly implementation: string;
  readonly ours: boolean;
  /** Runs the operation over the whole corpus once; returns something derived from the output. */
  readonly run: () => number;
}

function contenders(corpus: readonly string[]): Contender[] {
  const ourAsts: FilterNode[] = corpus.map((f) => parseFilter(f));
  const peerAsts = corpus.map((f) => scim2.parse(f));
  return [
    {
      operation: 'parse',
      implementation: '@scim-console/scim',
      ours: true,
      run: () => {
        let n = 0;
        for (const f of corpus) n += parseFilter(f).kind.length;
        return n;
      },
    },
    {
      operation: 'parse',
      implementation: 'scim2-parse-filter 0.2.10',
      ours: false,
      run: () => {
        let n = 0;
        for (const f of corpus) n += scim2.parse(f).op.length;
        return n;
      },
    },
    {
      operation: 'parse',
      implementation: 'SCIMMY 1.3.3',
      ours: false,
      run: () => {
        let n = 0;
        for (const f of corpus) n += new SCIMMY.Types.Filter(f).length;
        return n;
      },
    },
    {
      operation: 'format',
      implementation: '@scim-console/scim',
      ours: true,
      run: () => {
        let n = 0;
        for (const ast of ourAsts) n += formatFilter(ast).length;
        return n;
      },
    },
    {
      operation: 'format',
      implementation: 'scim2-parse-filter 0.2.10',
      ours: false,
      run: () => {
        let n = 0;
        for (const ast of peerAsts) n += scim2.stringify(ast).length;
        return n;
      },
    },
  ];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs the benchmark and returns one row per operation and implementation. */
export async function runScimLibraryBench(
  options: ScimLibraryBenchOptions = {},
): Promise<BenchResult[]> {
  const rounds = options.rounds ?? 41;
  const batchMs = options.batchMs ?? 40;
  const log = options.log ?? ((line: string) => console.log(line));
  const clock = options.clock ?? 'cpu';
  const corpus = SCIM_FILTER_CORPUS;
  const all = contenders(corpus);
  let sink = 0;

  // Warm up and size each batch to about batchMs.
  const iterations = new Map<Contender, number>();
  for (const c of all) {
    const start = performance.now();
    let n = 0;
    while (performance.now() - start < 200) {
      sink += c.run();
      n++;
    }
    iterations.set(c, Math.max(1, Math.round((n * batchMs) / 200)));
  }

  const samples = new Map<Contender, number[]>(all.map((c) => [c, []]));
  for (let round = 0; round < rounds; round++) {
    const order = all.map((_, i) => all[(i + round) % all.length]!);
    for (const c of order) {
      const n = iterations.get(c)!;
      // CPU time of this process, not wall time: on a shared machine the wall clock
      // also counts the time other processes held the CPU.
      let seconds: number;
      if (clock === 'cpu') {
        const start = process.cpuUsage();
        for (let i = 0; i < n; i++) sink += c.run();
        const used = process.cpuUsage(start);
        seconds = (used.user + used.system) / 1e6;
      } else {
        const start = performance.now();
        for (let i = 0; i < n; i++) sink += c.run();
        seconds = (performance.now() - start) / 1000;
      }
      samples.get(c)!.push((n * corpus.length) / Math.max(seconds, 1e-6));
    }
    await new Promise((resolve) => setImmediate(resolve)); // let the event loop breathe between rounds
  }
  if (sink === 0) log('(unexpected: empty outputs)');

  const results: BenchResult[] = [];
  for (const operation of ['parse', 'format'] as const) {
    const group = all.filter((c) => c.operation === operation);
    const ours = group.find((c) => c.ours)!;
    const ourSamples = samples.get(ours)!;
    for (const c of group) {
      const theirs = samples.get(c)!;
      // Ratios are taken round by round (the two batches ran moments apart), then
      // the median: on a shared, noisy machine that is steadier than a ratio of medians.
      const ratio = median(ourSamples.map((o, i) => o / theirs[i]!));
      results.push({
        bench: 'scim-library',
        operation,
        implementation: c.implementation,
        opsPerSecond: median(theirs),
        ...(c.ours ? {} : { ratio }),
      });
    }
  }

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  log(
    `SCIM library: ${corpus.length} filters, ${rounds} interleaved rounds; filters per ${clock === 'cpu' ? 'CPU-second' : 'second of wall-clock time'} (median), ours/peer = median of per-round ratios`,
  );
  log(
    `machine: ${availableParallelism()} CPUs (${cpu}), node ${process.version}, ${new Date().toISOString()}`,
  );
  log('');
  log(
    `${'operation'.padEnd(10)}${'implementation'.padEnd(28)}${'filters/s'.padStart(14)}${'ours/peer'.padStart(12)}`,
  );
  for (const r of results) {
    log(
      `${r.operation.padEnd(10)}${r.implementation.padEnd(28)}${Math.round(r.opsPerSecond).toLocaleString('en-US').padStart(14)}${(r.ratio !== undefined ? `${r.ratio.toFixed(2)}×` : '').padStart(12)}`,
    );
  }
  log('');
  const parsePeers = results.filter((r) => r.operation === 'parse' && r.ratio !== undefined);
  const fastest = parsePeers.reduce((a, b) => (b.opsPerSecond > a.opsPerSecond ? b : a));
  const ratio = fastest.ratio!;
  log(
    `GOAL parse ≥ 2× fastest peer: ${ratio >= 2 ? 'PASS' : 'FALLS SHORT'} (${ratio.toFixed(2)}× ${fastest.implementation})`,
  );
  return results;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runScimLibraryBench({ clock: process.argv.includes('--wall') ? 'wall' : 'cpu' });
}
