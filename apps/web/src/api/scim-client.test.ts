// The SCIM client against a real local HTTP server (jsdom's XHR, real CORS), wired to
// the real in-memory token store, which asks the same server for /api/token.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  startApiServer,
  apiError,
  type ApiServer,
  type RecordedRequest,
  type Reply,
} from '../test/api-server';
import { clearTokens } from '../token-store/token-store';
import { setCsrfToken } from './http';
import { ScimRequestError, parseRetryAfter, scimClient, type ScimRequestSpec } from './scim-client';

const LIST = {
  schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
  totalResults: 1,
  Resources: [{ id: '1', userName: 'alice' }],
};

let server: ApiServer;
let scimHandler: (req: RecordedRequest) => Reply;
let tokens: string[];
let refreshReply: () => Reply;

beforeEach(async () => {
  tokens = ['tok-1', 'tok-2', 'tok-3'];
  refreshReply = () => ({
    body: { accessToken: tokens[1], tokenType: 'Bearer', expiresAt: null, fingerprint: 'k1:x' },
  });
  scimHandler = () => ({ body: LIST });
  server = await startApiServer((req) => {
    if (req.path === '/api/token')
      return {
        body: { accessToken: tokens[0], tokenType: 'Bearer', expiresAt: null, fingerprint: 'k1:x' },
      };
    if (req.path === '/api/token/refresh') return refreshReply();
    return scimHandler(req);
  });
});

afterEach(async () => {
  clearTokens();
  setCsrfToken(null);
  await server.close();
});

const spec = (over: Partial<ScimRequestSpec> = {}): ScimRequestSpec => ({
  connectionId: 'c1',
  mode: 'direct',
  method: 'GET',
  url: `${server.url}/scim/v2/Users?filter=${encodeURIComponent('userName eq "alice"')}`,
  ...over,
});

async function failure(p: Promise<unknown>): Promise<ScimRequestError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ScimRequestError);
    return e as ScimRequestError;
  }
  throw new Error('expected the request to fail');
}

describe('scimClient', () => {
  it('sends the in-memory bearer token and returns the parsed body', async () => {
    const res = await scimClient.send(spec());
    expect(res.status).toBe(200);
    expect(res.data).toEqual(LIST);
    const call = server.calls('/scim/v2/Users')[0]!;
    expect(call.headers.authorization).toBe('Bearer tok-1');
    expect(call.query.get('filter')).toBe('userName eq "alice"');
  });

  it('on 401 refreshes once through the backend and retries with the new token', async () => {
    scimHandler = (req) =>
      req.headers.authorization === 'Bearer tok-2'
        ? { body: LIST }
        : { status: 401, body: { status: '401', detail: 'expired' } };
    const res = await scimClient.send(spec());
    expect(res.status).toBe(200);
    expect(server.calls('/api/token/refresh')).toHaveLength(1);
    expect(server.calls('/scim/v2/Users').map((r) => r.headers.authorization)).toEqual([
      'Bearer tok-1',
      'Bearer tok-2',
    ]);
    // The backend is told which token was refused (by fingerprint, never the token itself),
    // so it cannot answer with that same token.
    expect(server.calls('/api/token/refresh')[0]!.body).toEqual({
      connectionId: 'c1',
      rejectedFingerprint: 'k1:x',
    });
  });

  it('a second 401 after the refresh says the token was rejected and links to Tokens', async () => {
    scimHandler = () => ({
      status: 401,
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '401',
        detail: 'no',
      },
    });
    const e = await failure(scimClient.send(spec()));
    expect(e.kind).toBe('unauthorized');
    expect(e.title).toMatch(/token was rejected — reconnect/);
    expect(e.link?.href).toBe('/tokens');
    expect(server.calls('/api/token/refresh')).toHaveLength(1);
    expect(server.calls('/scim/v2/Users')).toHaveLength(2);
    expect(e.message).not.toContain('tok-');
  });

  it('a refresh answered 409 TOKEN_REVOKED asks the user to reconnect', async () => {
    scimHandler = () => ({ status: 401, body: {} });
    refreshReply = () => ({ status: 409, body: apiError('TOKEN_REVOKED', 'Revoked; reconnect.') });
    const e = await failure(scimClient.send(spec()));
    expect(e.kind).toBe('reconnect');
    expect(e.link?.href).toBe('/tokens');
    expect(server.calls('/scim/v2/Users')).toHaveLength(1);
  });

  it('on 429 waits for Retry-After (seconds), tells the countdown, then succeeds', async () => {
    let n = 0;
    scimHandler = () =>
      n++ === 0
        ? {
            status: 429,
            headers: { 'retry-after': '1' },
            body: { status: '429', detail: 'slow down' },
          }
        : { body: LIST };
    const waits: (number | null)[] = [];
    const started = Date.now();
    const res = await scimClient.send(spec(), {
      onRateLimitWait: (w) => waits.push(w ? w.secondsLeft : null),
    });
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(waits[0]).toBe(1);
    expect(waits.at(-1)).toBeNull();
    expect(server.calls('/scim/v2/Users')).toHaveLength(2);
  });

  it('gives up on 429 when Retry-After exceeds the 60 s budget, without waiting', async () => {
    scimHandler = () => ({
      status: 429,
      headers: { 'retry-after': '120' },
      body: { status: '429' },
    });
    const started = Date.now();
    const e = await failure(scimClient.send(spec()));
    expect(e.kind).toBe('rate-limited');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(server.calls('/scim/v2/Users')).toHaveLength(1);
  });

  it('turns a SCIM error body into its detail and a hint for its scimType', async () => {
    scimHandler = () => ({
      status: 400,
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '400',
        scimType: 'invalidFilter',
        detail: 'Unsupported operator "ew"',
      },
    });
    const e = await failure(scimClient.send(spec()));
    expect(e.kind).toBe('scim');
    expect(e.status).toBe(400);
    expect(e.scimType).toBe('invalidFilter');
    expect(e.message).toBe('Unsupported operator "ew"');
    expect(e.hint).toMatch(/could not use this filter/);
  });

  it('reports a body that is not JSON as malformed', async () => {
    // The shared test server JSON-encodes bodies; this one answers an HTML login page.
    const raw = createServer((req, res) => {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Allow-Headers', 'authorization');
      if (req.method === 'OPTIONS') return void res.writeHead(204).end();
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Sign in</body></html>');
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    try {
      const { port } = raw.address() as AddressInfo;
      const e = await failure(
        scimClient.send(spec({ url: `http://127.0.0.1:${port}/scim/v2/Users` })),
      );
      expect(e.kind).toBe('malformed');
      expect(e.message).toContain('<html>');
    } finally {
      raw.closeAllConnections();
      await new Promise((r) => raw.close(r));
    }
  });

  it('explains a CORS refusal (no answer readable) as a network problem and suggests relay mode', async () => {
    const noCors = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}'),
    );
    await new Promise<void>((r) => noCors.listen(0, '127.0.0.1', r));
    try {
      const { port } = noCors.address() as AddressInfo;
      const e = await failure(
        scimClient.send(spec({ url: `http://127.0.0.1:${port}/scim/v2/Users` })),
      );
      expect(e.kind).toBe('network');
      expect(e.status).toBe(0);
      expect(e.message).toMatch(/CORS/);
      expect(e.hint).toMatch(/relay mode/);
    } finally {
      noCors.closeAllConnections();
      await new Promise((r) => noCors.close(r));
    }
  });

  it('times out after the configured limit', async () => {
    scimHandler = () => ({ body: LIST, delayMs: 1_000 });
    const e = await failure(scimClient.send(spec(), { timeoutMs: 150 }));
    expect(e.kind).toBe('timeout');
    expect(e.hint).toMatch(/Narrow the query/);
  });

  it('cancels when the signal aborts', async () => {
    scimHandler = () => ({ body: LIST, delayMs: 1_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const e = await failure(scimClient.send(spec(), { signal: controller.signal }));
    expect(e.kind).toBe('cancelled');
  });

  it('relay mode sends the CSRF header and no bearer token', async () => {
    setCsrfToken('csrf-123');
    await scimClient.send(
      spec({
        mode: 'relay',
        method: 'POST',
        url: `${server.url}/api/relay/c1/Users/.search`,
        body: { filter: 'active eq true' },
      }),
    );
    const call = server.calls('/api/relay/c1/Users/.search')[0]!;
    expect(call.headers['x-csrf-token']).toBe('csrf-123');
    expect(call.headers.authorization).toBeUndefined();
    expect(call.body).toEqual({ filter: 'active eq true' });
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3_000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(undefined)).toBeNull();
  });
});
