import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, startApiServer, type ApiServer } from '../test/api-server';
import { ApiError, http, onSessionExpired, setCsrfToken, toApiError } from './http';

let server: ApiServer;
beforeAll(async () => {
  server = await startApiServer();
});
afterAll(async () => {
  setCsrfToken(null);
  await server.close();
});

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (e) {
    return e as ApiError;
  }
  throw new Error('expected the request to fail');
}

describe('console API errors', () => {
  it('maps the API error body to an ApiError with code, status and details', async () => {
    server.handle(() => ({
      status: 400,
      body: apiError('INVALID_FILTER', 'Unexpected token at 12', {
        position: 12,
        scimType: 'invalidFilter',
      }),
    }));
    const error = await failure(http.post('/api/scim-query', {}));
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      code: 'INVALID_FILTER',
      status: 400,
      message: 'Unexpected token at 12',
    });
    expect(error.details).toEqual({ position: 12, scimType: 'invalidFilter' });
  });

  it('keeps Retry-After of a 429 in details.retryAfter', async () => {
    server.handle(() => ({
      status: 429,
      headers: { 'retry-after': '17' },
      body: apiError('RATE_LIMITED', 'Slow down.'),
    }));
    const error = await failure(http.get('/api/connections'));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.details?.retryAfter).toBe(17);
  });

  it('gives a stable code and a readable message when the body is not the API shape', async () => {
    server.handle(() => ({ status: 502, body: '<html>Bad gateway</html>' }));
    const error = await failure(http.get('/api/connections'));
    expect(error.code).toBe('INTERNAL');
    expect(error.status).toBe(502);
    expect(error.message).toMatch(/could not reach/i);
  });

  it('reports an unreachable server as NETWORK_ERROR with status 0', async () => {
    const error = await failure(http.get('http://127.0.0.1:1/api/auth/me'));
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', status: 0 });
    expect(error.message).toMatch(/cannot reach/i);
  });

  it('normalises anything thrown', () => {
    expect(toApiError(new Error('boom'))).toMatchObject({ code: 'INTERNAL', message: 'boom' });
    expect(toApiError('x')).toBeInstanceOf(ApiError);
  });
});

describe('CSRF header', () => {
  it('is sent on state-changing requests and not on reads', async () => {
    server.handle(() => ({ status: 204 }));
    setCsrfToken('csrf-123');
    await http.get('/api/connections');
    await http.put('/api/me/preferences', { theme: 'dark' });
    await http.delete('/api/token', { params: { connectionId: 'c1' } });
    const [get, put, del] = server.calls().slice(-3);
    expect(get!.headers['x-csrf-token']).toBeUndefined();
    expect(put!.headers['x-csrf-token']).toBe('csrf-123');
    expect(del!.headers['x-csrf-token']).toBe('csrf-123');
  });

  it('is not sent once the session is gone', async () => {
    server.handle(() => ({ status: 204 }));
    setCsrfToken(null);
    await http.post('/api/auth/logout');
    expect(server.calls().at(-1)!.headers['x-csrf-token']).toBeUndefined();
  });
});

describe('CSRF recovery', () => {
  it('fetches the current CSRF token and retries once when the server says it changed', async () => {
    setCsrfToken('stale');
    server.handle((req) => {
      if (req.path === '/api/auth/me') return { body: { user: {}, csrfToken: 'fresh' } };
      return req.headers['x-csrf-token'] === 'fresh'
        ? { status: 200, body: { ok: true } }
        : { status: 403, body: apiError('CSRF_INVALID', 'Missing or wrong CSRF token.') };
    });
    const { data } = await http.put('/api/me/preferences', { theme: 'dark' });
    expect(data).toEqual({ ok: true });
    expect(
      server
        .calls('/api/me/preferences')
        .slice(-2)
        .map((r) => r.headers['x-csrf-token']),
    ).toEqual(['stale', 'fresh']);
  });

  it('gives up after one retry', async () => {
    setCsrfToken('stale');
    server.handle((req) =>
      req.path === '/api/auth/me'
        ? { body: { user: {}, csrfToken: 'still-wrong' } }
        : { status: 403, body: apiError('CSRF_INVALID', 'Missing or wrong CSRF token.') },
    );
    const before = server.calls('/api/connections').length;
    const error = await failure(http.post('/api/connections', {}));
    expect(error.code).toBe('CSRF_INVALID');
    expect(server.calls('/api/connections').length - before).toBe(2);
    setCsrfToken(null);
  });
});

describe('401 handling', () => {
  it('tells the session that it expired when an API call answers 401', async () => {
    const seen: ApiError[] = [];
    const off = onSessionExpired((e) => seen.push(e));
    server.handle(() => ({ status: 401, body: apiError('SESSION_EXPIRED', 'Session expired.') }));
    const error = await failure(http.get('/api/connections'));
    off();
    expect(error.code).toBe('SESSION_EXPIRED');
    expect(seen.map((e) => e.code)).toEqual(['SESSION_EXPIRED']);
  });

  it('does not treat a wrong password or the session probe as an expired session', async () => {
    const seen: ApiError[] = [];
    const off = onSessionExpired((e) => seen.push(e));
    server.handle((req) =>
      req.path === '/api/auth/login'
        ? { status: 401, body: apiError('INVALID_CREDENTIALS', 'Wrong username or password.') }
        : { status: 401, body: apiError('UNAUTHENTICATED', 'Not signed in.') },
    );
    expect(
      (await failure(http.post('/api/auth/login', { username: 'a', password: 'b' }))).code,
    ).toBe('INVALID_CREDENTIALS');
    expect((await failure(http.get('/api/auth/me'))).code).toBe('UNAUTHENTICATED');
    off();
    expect(seen).toEqual([]);
  });
});
