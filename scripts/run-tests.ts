/**
 * `npm test`: every Vitest project, then the browser journeys, then one
 * summary line `N passed, N failed` (neither runner prints that form).
 * Exits non-zero when any test, suite or runner fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const resultsDir = '.test-results';
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });

interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status ?? 1;
}

function vitestTally(file: string): Tally | undefined {
  if (!existsSync(file)) return undefined;
  const report = JSON.parse(readFileSync(file, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    testResults: { status: string; assertionResults: unknown[] }[];
  };
  // A file that fails to load has no assertions but must still count as a failure.
  const brokenFiles = report.testResults.filter(
    (r) => r.status === 'failed' && r.assertionResults.length === 0,
  ).length;
  return {
    passed: report.numPassedTests,
    failed: report.numFailedTests + brokenFiles,
    skipped: report.numPendingTests + report.numTodoTests,
  };
}

function playwrightTally(file: string): Tally | undefined {
  if (!existsSync(file)) return undefined;
  const report = JSON.parse(readFileSync(file, 'utf8')) as {
    stats: { expected: number; unexpected: number; flaky: number; skipped: number };
    errors?: unknown[];
  };
  return {
    passed: report.stats.expected + report.stats.flaky,
    failed: report.stats.unexpected + (report.errors?.length ?? 0),
    skipped: report.stats.skipped,
  };
}

const total: Tally = { passed: 0, failed: 0, skipped: 0 };
const add = (t: Tally | undefined, runnerStatus: number, name: string) => {
  if (!t) {
    console.error(`${name}: no report was written (exit ${runnerStatus}); counted as one failure`);
    total.failed += 1;
    return;
  }
  total.passed += t.passed;
  total.failed += t.failed;
  total.skipped += t.skipped;
  // A runner that exits non-zero with every test green still failed (e.g. a crash in teardown).
  if (runnerStatus !== 0 && t.failed === 0) total.failed += 1;
};

// Static checks count as tests: a type error or a lint error fails `npm test` like a red test.
const staticChecks: [string, string[]][] = [
  ...[
    'packages/scim/tsconfig.json',
    'packages/scim/test/tsconfig.json',
    'packages/api-contract/tsconfig.json',
    'apps/sandbox/tsconfig.json',
    'apps/server/tsconfig.json',
    'apps/web/tsconfig.json',
    'deploy/tsconfig.json',
    'tsconfig.json',
  ]
    .filter((config) => existsSync(config))
    .map((config): [string, string[]] => [
      `typecheck ${config}`,
      ['tsc', '-p', config, '--noEmit'],
    ]),
  ['lint', ['eslint', '.']],
];
for (const [name, args] of staticChecks) {
  const status = run('npx', args);
  console.log(`${status === 0 ? '✓' : '✗'} ${name}`);
  if (status === 0) total.passed += 1;
  else total.failed += 1;
}

const vitestReport = join(resultsDir, 'vitest.json');
const vitestStatus = run('npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${vitestReport}`,
]);
add(vitestTally(vitestReport), vitestStatus, 'vitest');

const hasJourneys =
  existsSync('playwright.config.ts') &&
  existsSync('e2e') &&
  readdirSync('e2e').some((f) => f.endsWith('.spec.ts'));
if (hasJourneys) {
  const playwrightReport = join(resultsDir, 'playwright.json');
  const playwrightStatus = run('npx', ['playwright', 'test'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightReport,
  });
  add(playwrightTally(playwrightReport), playwrightStatus, 'playwright');
}

if (total.skipped > 0) console.log(`${total.skipped} skipped`);
console.log(`${total.passed} passed, ${total.failed} failed`);
process.exit(total.failed > 0 ? 1 : 0);
