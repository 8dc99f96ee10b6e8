import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiError, startApiServer, type ApiServer } from '../test/api-server';
import {
  clearTokens,
  EXPIRING_WITHIN_MS,
  getToken,
  getTokenInfo,
  refreshToken,
  setTokenStatus,
  subscribe,
} from './token-store';

let server: ApiServer;
let cookieWrites: ReturnType<typeof vi.spyOn>;
beforeAll(async () => {
  server = await startApiServer();
  cookieWrites = vi.spyOn(Document.prototype, 'cookie', 'set');
});
afterAll(async () => {
  cookieWrites.mockRestore();
  await server.close();
});
afterEach(() => {
  clearTokens();
  server.requests.length = 0;
});

const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();
let issued = 0;
function tokenApi(expiresInMinutes = 60) {
  server.handle((req) => {
    if (req.path === '/api/token' && req.method === 'GET') {
      issued += 1;
      return {
        body: {
          accessToken: `secret-${issued}`,
          tokenType: 'Bearer',
          expiresAt: inMinutes(expiresInMinutes),
          fingerprint: 'k1:ab',
        },
      };
    }
    if (req.path === '/api/token/refresh') {
      issued += 1;
      return {
        delayMs: 30,
        body: {
          accessToken: `refreshed-${issued}`,
          tokenType: 'Bearer',
          expiresAt: inMinutes(60),
          fingerprint: 'k1:cd',
          status: {
            connectionId: 'c1',
            state: 'valid',
            kind: 'oauth2',
            expiresAt: inMinutes(60),
            scopes: [],
            subject: null,
            fingerprint: 'k1:cd',
            lastRefreshAt: null,
            lastVerifiedAt: null,
            message: null,
          },
        },
      };
    }
    return { status: 404, body: apiError('NOT_FOUND', 'no') };
  });
}

describe('token store', () => {
  it('keeps tokens in memory only: nothing in localStorage, sessionStorage or cookies', async () => {
    tokenApi();
    const token = await getToken('c1');
    await refreshToken('c1');
    expect(token?.accessToken).toMatch(/^secret-/);
    expect(localStorage.length).toBe(0);
    expect(sessionStorage.length).toBe(0);
    expect(document.cookie).toBe('');
    expect(cookieWrites).not.toHaveBeenCalled();
    // What subscribers can read never includes the token.
    expect(JSON.stringify(getTokenInfo('c1'))).not.toMatch(/secret|refreshed/);
  });

  it('asks the backend once and then serves the token from memory', async () => {
    tokenApi();
    const [a, b] = await Promise.all([getToken('c1'), getToken('c1')]);
    const c = await getToken('c1');
    expect(a).toEqual(b);
    expect(c).toEqual(a);
    expect(server.calls('/api/token')).toHaveLength(1);
    expect(server.calls('/api/token')[0]!.query.get('connectionId')).toBe('c1');
    expect(getTokenInfo('c1')?.state).toBe('valid');
  });

  it('fetches again when the cached token is within 30 s of expiry', async () => {
    tokenApi(0.25); // 15 s left: too close to hand out
    const first = await getToken('c1');
    const second = await getToken('c1');
    expect(second?.accessToken).not.toBe(first?.accessToken);
    expect(server.calls('/api/token')).toHaveLength(2);
  });

  it('shows a token as expiring, then expired, as the clock moves', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    try {
      setTokenStatus({
        connectionId: 'c2',
        state: 'valid',
        kind: 'oauth2',
        expiresAt: inMinutes(10),
        scopes: [],
        subject: null,
        fingerprint: null,
        lastRefreshAt: null,
        lastVerifiedAt: null,
        message: null,
      });
      const seen: string[] = [];
      const off = subscribe(() => seen.push(getTokenInfo('c2')!.state));
      expect(getTokenInfo('c2')?.state).toBe('valid');
      vi.advanceTimersByTime(10 * 60_000 - EXPIRING_WITHIN_MS + 1000);
      expect(getTokenInfo('c2')?.state).toBe('expiring');
      vi.advanceTimersByTime(EXPIRING_WITHIN_MS);
      expect(getTokenInfo('c2')?.state).toBe('expired');
      off();
      expect(seen).toEqual(['expiring', 'expired']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('de-duplicates concurrent refreshes into one backend call', async () => {
    tokenApi();
    const results = await Promise.all([refreshToken('c1'), refreshToken('c1'), refreshToken('c1')]);
    expect(server.calls('/api/token/refresh')).toHaveLength(1);
    expect(new Set(results.map((r) => r.accessToken)).size).toBe(1);
    expect(server.calls('/api/token/refresh')[0]!.body).toEqual({ connectionId: 'c1' });
    // The refreshed token is what getToken() now serves, without another call.
    expect((await getToken('c1'))?.accessToken).toBe(results[0]!.accessToken);
    expect(server.calls('/api/token')).toHaveLength(0);
  });

  it('marks a revoked token and rejects the refresh with TOKEN_REVOKED', async () => {
    server.handle(() => ({
      status: 409,
      body: apiError('TOKEN_REVOKED', 'The provider revoked this token. Reconnect.'),
    }));
    await expect(refreshToken('c1')).rejects.toMatchObject({ code: 'TOKEN_REVOKED' });
    expect(getTokenInfo('c1')).toMatchObject({
      state: 'revoked',
      message: 'The provider revoked this token. Reconnect.',
    });
  });

  it('resolves null for a missing token and records the state', async () => {
    server.handle(() => ({ status: 404, body: apiError('TOKEN_MISSING', 'No token linked.') }));
    expect(await getToken('c9')).toBeNull();
    expect(getTokenInfo('c9')?.state).toBe('missing');
  });

  it('rejects with an ApiError when the backend fails for another reason', async () => {
    server.handle(() => ({
      status: 503,
      body: apiError('DATABASE_UNAVAILABLE', 'Database down.'),
    }));
    await expect(getToken('c1')).rejects.toMatchObject({
      code: 'DATABASE_UNAVAILABLE',
      status: 503,
    });
  });

  it('forgets everything on clearTokens (logout), including answers still in flight', async () => {
    tokenApi();
    await getToken('c1');
    server.handle(() => ({
      delayMs: 50,
      body: {
        accessToken: 'late',
        tokenType: 'Bearer',
        expiresAt: inMinutes(60),
        fingerprint: null,
      },
    }));
    const late = getToken('c3');
    clearTokens();
    expect(getTokenInfo('c1')).toBeUndefined();
    expect(await late).toBeNull();
    expect(getTokenInfo('c3')).toBeUndefined();
  });
});
