/**
 * `npm run audit` (scripts/audit.ts, issue 10 item 6) against scripted `npm audit` answers: a
 * fake `npm` first on PATH prints the JSON a real registry would. High/critical findings fail
 * unless every advisory is listed in audit-exceptions.json; an unanswering advisory service is
 * reported as "advisories not checked: <reason>" — never as a pass.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/audit.ts', import.meta.url));
// The script runs from a temp folder (its cwd holds audit-exceptions.json): name tsx by path.
const TSX = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;
const dirs: string[] = [];

function runAudit(npmStdout: string, exceptions?: unknown): { code: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'scim-audit-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'answer.json'), npmStdout);
  writeFileSync(join(dir, 'npm'), `#!/bin/sh\ncat "${join(dir, 'answer.json')}"\nexit 1\n`);
  chmodSync(join(dir, 'npm'), 0o755);
  if (exceptions) writeFileSync(join(dir, 'audit-exceptions.json'), JSON.stringify(exceptions));
  const run = spawnSync(process.execPath, ['--import', TSX, SCRIPT], {
    cwd: dir,
    env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` },
    encoding: 'utf8',
  });
  return { code: run.status, out: `${run.stdout}${run.stderr}` };
}

const advisory = (severity: string, url: string) => ({
  auditReportVersion: 2,
  vulnerabilities: {
    'bad-lib': { severity, via: [{ url, title: 'Prototype pollution' }] },
    dependent: { severity, via: ['bad-lib'] },
  },
});

describe('npm run audit', () => {
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('says "advisories not checked" with the reason when the service answers 405 (exit 0, no pass message)', () => {
    const r = runAudit(
      JSON.stringify({
        message:
          '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
      }),
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^advisories not checked: 405 Method Not Allowed/m);
    expect(r.out).not.toMatch(/advisories checked/);
  });

  it('says "advisories not checked" when npm prints no JSON', () => {
    const r = runAudit('npm ERR! network timeout');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/advisories not checked/);
  });

  it.each(['high', 'critical'])('fails on a %s advisory', (severity) => {
    const r = runAudit(
      JSON.stringify(advisory(severity, 'https://github.com/advisories/GHSA-aaaa')),
    );
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`${severity}: bad-lib`));
  });

  it('passes moderate findings and documented exceptions, and says it checked', () => {
    expect(
      runAudit(JSON.stringify(advisory('moderate', 'https://github.com/advisories/GHSA-bbbb'))),
    ).toMatchObject({ code: 0 });
    const excepted = runAudit(
      JSON.stringify(advisory('high', 'https://github.com/advisories/GHSA-cccc')),
      {
        exceptions: [
          {
            advisory: 'https://github.com/advisories/GHSA-cccc',
            reason: 'not reachable from our code',
          },
        ],
      },
    );
    expect(excepted.code).toBe(0);
    expect(excepted.out).toMatch(
      /advisories checked: no high or critical finding .*1 documented exceptions/,
    );
    const other = runAudit(
      JSON.stringify(advisory('high', 'https://github.com/advisories/GHSA-dddd')),
      {
        exceptions: [
          { advisory: 'https://github.com/advisories/GHSA-cccc', reason: 'another one' },
        ],
      },
    );
    expect(other.code).toBe(1);
  });
});
