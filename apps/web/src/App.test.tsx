import { QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { App } from './App';
import { SessionProvider } from './auth/session';
import { createQueryClient } from './query-client';
import {
  apiError,
  startApiServer,
  type ApiServer,
  type RecordedRequest,
  type Reply,
} from './test/api-server';
import { demoUser } from './test/render';
import { ThemeProvider } from './theme/theme';
import { clearTokens, getTokenInfo } from './token-store/token-store';

const PERMISSIONS = {
  viewer: ['query:run', 'token:own', 'history:own'],
  auditor: ['token:own', 'history:own', 'audit:read-all'],
  admin: [
    'query:run',
    'query:free-filter',
    'token:own',
    'history:own',
    'audit:read-all',
    'admin:manage',
  ],
};

const connection = {
  id: 'c1',
  name: 'Okta',
  baseUrl: 'https://okta.example.test/scim/v2',
  authKind: 'static',
  executionMode: 'direct',
  vendor: 'okta',
  allowPrivateNetwork: false,
  oauth: null,
  grants: { roles: ['viewer'], userIds: [] },
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
};

let server: ApiServer;
let signedIn: keyof typeof PERMISSIONS | null;
let override: ((req: RecordedRequest) => Reply | undefined) | null;

beforeAll(async () => {
  server = await startApiServer((req) => {
    const special = override?.(req);
    if (special) return special;
    const route = `${req.method} ${req.path}`;
    if (route === 'GET /api/settings/branding') {
      return { body: { name: 'Acme IAM', primaryColor: '#0d6efd', logoDataUrl: null } };
    }
    if (route === 'GET /api/auth/providers')
      return { body: { local: true, oidc: { enabled: false, label: '' } } };
    if (route === 'POST /api/auth/logout') {
      signedIn = null;
      return { status: 204 };
    }
    if (!signedIn) {
      if (route === 'GET /api/auth/session')
        return { body: { user: null, csrfToken: null, state: 'none' } };
      return { status: 401, body: apiError('UNAUTHENTICATED', 'Sign in first.') };
    }
    const user = demoUser({
      username: signedIn,
      role: signedIn,
      permissions: PERMISSIONS[signedIn],
    });
    switch (route) {
      case 'GET /api/auth/me':
      case 'GET /api/auth/session':
        return { body: { user, csrfToken: 'csrf', state: 'active' } };
      case 'GET /api/connections':
        return { body: { connections: [connection] } };
      case 'GET /api/token/status':
        return {
          body: {
            statuses: [
              {
                connectionId: 'c1',
                state: 'valid',
                kind: 'static',
                expiresAt: null,
                scopes: [],
                subject: null,
                fingerprint: 'k1:ab',
                lastRefreshAt: null,
                lastVerifiedAt: null,
                message: null,
              },
            ],
          },
        };
      case 'GET /api/token':
        return {
          body: {
            accessToken: 'in-memory',
            tokenType: 'Bearer',
            expiresAt: null,
            fingerprint: 'k1:ab',
          },
        };
      case 'GET /api/logs':
        return { body: { events: [], nextCursor: null } };
      case 'GET /api/saved-queries':
        return { body: { queries: [] } };
      default:
        return { status: 404, body: apiError('NOT_FOUND', 'Not found.') };
    }
  });
});
afterAll(() => server.close());
afterEach(() => {
  override = null;
  clearTokens();
});

function renderApp(route: string) {
  const client = createQueryClient();
  const result = render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[route]}>
        <SessionProvider>
          <ThemeProvider>
            <App />
          </ThemeProvider>
        </SessionProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return { ...result, client };
}

// Role queries over the whole shell are slow in jsdom on a loaded machine.
describe('app shell', { timeout: 20_000 }, () => {
  it('sends an anonymous visitor to sign in', async () => {
    signedIn = null;
    renderApp('/audit');
    expect(await screen.findByRole('heading', { name: 'Sign in to Acme IAM' })).toBeInTheDocument();
    expect(screen.getAllByRole('main')).toHaveLength(1);
  });

  it('shows a viewer only what a viewer may use, and a 403 page for the rest', async () => {
    signedIn = 'viewer';
    renderApp('/admin/users');
    expect(await screen.findByRole('heading', { name: 'Not allowed' })).toBeInTheDocument();
    expect(screen.getByText(/your role does not allow this page \(HTTP 403\)/i)).toBeVisible();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'History' })).toBeInTheDocument();
    expect(within(nav).queryByRole('link', { name: 'Audit' })).not.toBeInTheDocument();
    expect(within(nav).queryByRole('button', { name: 'Admin' })).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Skip to main content' })).toHaveAttribute(
      'href',
      '#main',
    );
    expect(screen.getAllByRole('main')).toHaveLength(1);
  });

  it('sends an auditor, who runs no queries, from "/" to the audit trail', async () => {
    signedIn = 'auditor';
    renderApp('/');
    expect(await screen.findByRole('heading', { name: 'Audit trail' })).toBeInTheDocument();
  });

  it('loads the token state at session start and shows it in the header', async () => {
    signedIn = 'admin';
    const before = server.calls('/api/token').length;
    renderApp('/history');
    const badge = await screen.findByLabelText(/okta: token valid/i);
    expect(badge).toHaveAttribute('href', '/tokens');
    // The access token itself was fetched into memory (the server is shared by these tests).
    await waitFor(() => expect(server.calls('/api/token').length).toBeGreaterThan(before));
    expect(getTokenInfo('c1')?.state).toBe('valid');
  });

  it('on session expiry clears tokens and cached data and asks to sign in again', async () => {
    signedIn = 'admin';
    const { client } = renderApp('/history');
    await screen.findByRole('heading', { name: 'History' });
    await waitFor(() => expect(getTokenInfo('c1')).toBeDefined());
    // The server forgot the session (expiry, restart): every signed-in call now answers 401.
    override = (req) =>
      req.path.startsWith('/api/auth/') || req.path.startsWith('/api/settings/')
        ? undefined
        : { status: 401, body: apiError('SESSION_EXPIRED', 'Session expired.') };
    signedIn = null;
    await userEvent.setup().click(screen.getByRole('link', { name: 'Tokens' }));
    expect(
      await screen.findByText('Your session has expired. Sign in again to continue.'),
    ).toBeVisible();
    expect(getTokenInfo('c1')).toBeUndefined();
    expect(client.getQueryCache().findAll({ queryKey: ['connections'] })).toHaveLength(0);
  });

  it('signs out: the server session ends and nothing of the user stays in memory', async () => {
    signedIn = 'admin';
    const { client } = renderApp('/history');
    await screen.findByRole('heading', { name: 'History' });
    await waitFor(() => expect(getTokenInfo('c1')).toBeDefined());
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: /alice admin/i }));
    await user.click(await screen.findByRole('button', { name: 'Sign out' }));
    expect(await screen.findByText('You have signed out.')).toBeVisible();
    expect(server.calls('/api/auth/logout').at(-1)!.headers['x-csrf-token']).toBe('csrf');
    expect(getTokenInfo('c1')).toBeUndefined();
    expect(client.getQueryCache().findAll({ queryKey: ['logs'] })).toHaveLength(0);
  });
});
