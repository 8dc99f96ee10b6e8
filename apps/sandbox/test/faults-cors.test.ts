import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/index.ts';
import { scim, startTestSandbox } from './helpers.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox({ users: 50 });
});
afterAll(() => sandbox.close());
afterEach(async () => {
  await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'DELETE' });
});

async function inject(fault: Record<string, unknown>): Promise<Response> {
  return fetch(`${sandbox.url}/_sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
}

describe('fault injection', () => {
  it('429 with Retry-After for the next N requests, then normal again', async () => {
    expect((await inject({ kind: '429', count: 2, retryAfter: 7 })).status).toBe(201);
    for (let i = 0; i < 2; i++) {
      const res = await scim(sandbox, '/Users?count=1');
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('7');
      expect(res.body).toMatchObject({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '429',
      });
    }
    expect((await scim(sandbox, '/Users?count=1')).status).toBe(200);
  });

  it('500, 503 and revoked answer as a provider would', async () => {
    await inject({ kind: '500' });
    await inject({ kind: '503', retryAfter: 3 });
    await inject({ kind: 'revoked' });
    const first = await scim(sandbox, '/Users');
    expect([first.status, first.body.status]).toEqual([500, '500']);
    const second = await scim(sandbox, '/Users');
    expect([second.status, second.headers.get('retry-after')]).toEqual([503, '3']);
    const third = await scim(sandbox, '/Users');
    expect(third.status).toBe(401);
    expect(third.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(third.body.detail).toMatch(/revoked/);
  });

  it('malformed returns a truncated JSON body with 200', async () => {
    await inject({ kind: 'malformed' });
    const res = await fetch(`${sandbox.scimUrl}/Users`, {
      headers: { authorization: `Bearer ${sandbox.staticTokens.operator}` },
    });
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow();
  });

  it('delay holds the response, and a path filter limits the fault', async () => {
    await inject({ kind: 'delay', delayMs: 400, paths: '/Groups' });
    await scim(sandbox, '/Users?count=1');
    // /Users did not consume the /Groups-only fault.
    expect(await (await fetch(`${sandbox.url}/_sandbox/faults`)).json()).toMatchObject([
      { kind: 'delay', remaining: 1 },
    ]);
    const slow = Date.now();
    expect((await scim(sandbox, '/Groups?count=1')).status).toBe(200);
    expect(Date.now() - slow).toBeGreaterThanOrEqual(390);
  });

  it('lists the queue and validates input with the field at fault', async () => {
    await inject({ kind: '429', count: 3 });
    const queue = await (await fetch(`${sandbox.url}/_sandbox/faults`)).json();
    expect(queue).toMatchObject([{ kind: '429', remaining: 3 }]);
    const bad = await inject({ kind: 'teapot' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'INVALID_FAULT', field: 'kind' } });
    expect((await inject({ kind: 'delay', delayMs: -1 })).status).toBe(400);
  });
});

describe('CORS', () => {
  const origin = 'http://127.0.0.1:5173';

  it('answers a preflight before authentication and exposes ETag, Retry-After, Location', async () => {
    const preflight = await fetch(`${sandbox.scimUrl}/Users`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    const actual = await scim(sandbox, '/Users?count=1', { headers: { origin } });
    expect(actual.headers.get('access-control-allow-origin')).toBe(origin);
    expect(actual.headers.get('access-control-expose-headers')).toMatch(
      /ETag.*Retry-After.*Location/,
    );
  });

  it('gives no CORS headers to an unknown origin, nor under the cors fault', async () => {
    const stranger = await scim(sandbox, '/Users?count=1', {
      headers: { origin: 'http://evil.example' },
    });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    await inject({ kind: 'cors' });
    const preflight = await fetch(`${sandbox.scimUrl}/Users`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin); // preflights are not affected
    const refused = await scim(sandbox, '/Users?count=1', { headers: { origin } });
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    const next = await scim(sandbox, '/Users?count=1', { headers: { origin } });
    expect(next.headers.get('access-control-allow-origin')).toBe(origin);
  });
});

describe('npm run sandbox (main.ts)', () => {
  const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
  const run = (env: Record<string, string>): Promise<{ code: number | null; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', main], {
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('exit', (code) => resolve({ code, stderr }));
    });

  it('exits non-zero naming the bad variable', async () => {
    const result = await run({ SANDBOX_ACCESS_TOKEN_TTL: 'soon' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('SANDBOX_ACCESS_TOKEN_TTL');
  });

  it('exits non-zero when the port is taken', async () => {
    const result = await run({ SANDBOX_PORT: String(sandbox.port), SANDBOX_USERS: '10' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/already in use/);
  });
});
