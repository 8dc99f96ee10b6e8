import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyAuditChain } from './audit.repository.ts';
import { openTestDatabase, type TestDatabase } from './audit.test-support.ts';

const worker = fileURLToPath(new URL('./audit.append-worker.ts', import.meta.url));

function runWorker(file: string, count: number, label: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', worker, file, String(count), label], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(code)
        : reject(new Error(`worker ${label} exited ${code}: ${stderr.slice(0, 500)}`)),
    );
  });
}

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase('sqlite');
});
afterAll(async () => {
  await t?.dispose();
});

it('keeps one valid chain when several processes append to the same SQLite file', async () => {
  await Promise.all(['a', 'b', 'c'].map((label) => runWorker(t.file!, 40, label)));
  const result = await verifyAuditChain(t.db);
  expect(result).toMatchObject({ ok: true, checked: 120, lastSeq: 120 });
  const rows = await t.db.selectFrom('audit_events').select('details').execute();
  expect(new Set(rows.map((r) => r.details)).size).toBe(120);
}, 60_000);
