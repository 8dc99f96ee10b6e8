/**
 * `npm run bench`: every `bench/*.bench.ts`, one process each (so one benchmark's
 * heap and JIT state never colour the next), in name order. Each file is also
 * runnable alone: `node --import tsx bench/<name>.bench.ts`.
 * Pass names to run a subset: `npm run bench -- scim-library server`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const wanted = process.argv.slice(2);
const benches = readdirSync(import.meta.dirname)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();

let failures = 0;
for (const file of benches) {
  console.log(`\n=== ${file} ===`);
  const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, file)], {
    stdio: 'inherit',
  });
  if (run.status !== 0) {
    failures += 1;
    console.error(`${file} exited with ${run.status ?? run.signal}`);
  }
}
console.log(`\n${benches.length - failures} of ${benches.length} benchmarks ran; goals are the PASS / FALLS SHORT lines above.`);
process.exit(failures > 0 ? 1 : 0);
