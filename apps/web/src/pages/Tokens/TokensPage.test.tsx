import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TokenStatus } from '../../api/types';
import {
  apiError,
  startApiServer,
  type ApiServer,
  type RecordedRequest,
} from '../../test/api-server';
import { demoUser, renderWithApp } from '../../test/render';
import { clearTokens } from '../../token-store/token-store';
import TokensPage from './TokensPage';

const connection = (id: string, name: string, authKind: string) => ({
  id,
  name,
  baseUrl: `https://${id}.example.test/scim/v2`,
  authKind,
  executionMode: 'direct',
  vendor: 'generic',
  allowPrivateNetwork: false,
  oauth: null,
  grants: { roles: ['operator'], userIds: [] },
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
});

const status = (
  connectionId: string,
  state: TokenStatus['state'],
  extra: Partial<TokenStatus> = {},
): TokenStatus => ({
  connectionId,
  state,
  kind: 'static',
  expiresAt: null,
  scopes: [],
  subject: null,
  fingerprint: null,
  lastRefreshAt: null,
  lastVerifiedAt: null,
  message: null,
  ...extra,
});

let server: ApiServer;
let statuses: Map<string, TokenStatus>;
beforeAll(async () => {
  server = await startApiServer();
});
afterAll(() => server.close());
afterEach(() => clearTokens());

function api(
  extra?: (req: RecordedRequest) => ReturnType<Parameters<ApiServer['handle']>[0]> | undefined,
) {
  server.handle((req) => {
    const special = extra?.(req);
    if (special) return special;
    switch (`${req.method} ${req.path}`) {
      case 'GET /api/auth/me':
      case 'GET /api/auth/session':
        return { body: { user: demoUser(), csrfToken: 'csrf-1', state: 'active' } };
      case 'GET /api/settings/branding':
        return { body: { name: 'Acme', primaryColor: '#0d6efd', logoDataUrl: null } };
      case 'GET /api/connections':
        return {
          body: {
            connections: [
              connection('okta', 'Okta', 'static'),
              connection('sandbox', 'Sandbox', 'oauth2'),
            ],
          },
        };
      case 'GET /api/token/status':
        return { body: { statuses: [...statuses.values()] } };
      case 'GET /api/token':
        return {
          body: {
            accessToken: 'live-token',
            tokenType: 'Bearer',
            expiresAt: null,
            fingerprint: 'k1:aa',
          },
        };
      default:
        return { status: 404, body: apiError('NOT_FOUND', 'Not found.') };
    }
  });
}

function card(name: string) {
  return screen.getByRole('region', { name });
}

describe('Tokens page', () => {
  it('links a pasted token through a password field that is cleared afterwards', async () => {
    statuses = new Map([
      ['okta', status('okta', 'missing')],
      ['sandbox', status('sandbox', 'missing', { kind: 'oauth2' })],
    ]);
    api((req) => {
      if (req.method === 'PUT' && req.path === '/api/token') {
        const linked = status('okta', 'valid', {
          fingerprint: 'k1:3f9a·…7Qx',
          subject: { id: '42', userName: 'alice@example.com' },
          lastVerifiedAt: '2026-12-04T10:00:00Z',
        });
        statuses.set('okta', linked);
        return { body: linked };
      }
      return undefined;
    });
    renderWithApp(<TokensPage />, { route: '/tokens' });
    const okta = await screen.findByRole('region', { name: 'Okta' });
    expect(within(okta).getByTestId('token-state')).toHaveTextContent('Missing');
    const input = within(okta).getByLabelText('Paste your API token');
    expect(input).toHaveAttribute('type', 'password');
    const user = userEvent.setup();
    await user.type(input, 'ssws-personal-secret');
    await user.click(within(okta).getByRole('button', { name: 'Link token' }));
    expect(
      await within(okta).findByText('Token linked and verified with the provider.'),
    ).toBeInTheDocument();
    const put = server.calls('/api/token').find((r) => r.method === 'PUT')!;
    expect(put.body).toEqual({ connectionId: 'okta', token: 'ssws-personal-secret' });
    expect(put.headers['x-csrf-token']).toBe('csrf-1');
    expect(within(card('Okta')).getByLabelText('Replace with a new token')).toHaveValue('');
    expect(within(card('Okta')).getByTestId('token-state')).toHaveTextContent('Valid');
    expect(within(card('Okta')).getByText('alice@example.com')).toBeInTheDocument();
    expect(document.body.textContent).not.toContain('ssws-personal-secret');
  });

  it('shows the provider’s refusal of a pasted token and still clears the field', async () => {
    statuses = new Map([['okta', status('okta', 'missing')]]);
    api((req) =>
      req.method === 'PUT'
        ? { status: 400, body: apiError('TOKEN_INVALID', 'The provider answered 401 to /Me.') }
        : undefined,
    );
    renderWithApp(<TokensPage />, { route: '/tokens' });
    const input = within(await screen.findByRole('region', { name: 'Okta' })).getByLabelText(
      'Paste your API token',
    );
    const user = userEvent.setup();
    await user.type(input, 'bad-token');
    await user.keyboard('{Enter}');
    expect(
      await screen.findByText('Okta did not accept this token: The provider answered 401 to /Me.'),
    ).toBeVisible();
    expect(input).toHaveValue('');
  });

  it('starts OAuth with a full-page link and reports the callback result', async () => {
    statuses = new Map([['sandbox', status('sandbox', 'missing', { kind: 'oauth2' })]]);
    api();
    renderWithApp(<TokensPage />, { route: '/tokens?tokenLinked=sandbox' });
    const sandbox = await screen.findByRole('region', { name: 'Sandbox' });
    expect(within(sandbox).getByRole('link', { name: /connect with oauth/i })).toHaveAttribute(
      'href',
      '/api/token/oauth/start?connectionId=sandbox&returnTo=%2Ftokens',
    );
    expect(screen.getByText(/your token for/i)).toHaveTextContent(
      'Connected: your token for Sandbox is linked.',
    );
  });

  it('reports an OAuth failure from the callback', async () => {
    statuses = new Map();
    api();
    renderWithApp(<TokensPage />, { route: '/tokens?tokenError=FORBIDDEN' });
    expect(await screen.findByText(/access was declined at the provider/i)).toBeVisible();
  });

  it('guides the user to reconnect when the token was revoked', async () => {
    statuses = new Map([
      [
        'sandbox',
        status('sandbox', 'revoked', {
          kind: 'oauth2',
          message: 'invalid_grant: refresh token revoked',
        }),
      ],
    ]);
    api();
    renderWithApp(<TokensPage />, { route: '/tokens' });
    const sandbox = await screen.findByRole('region', { name: 'Sandbox' });
    expect(within(sandbox).getByTestId('token-state')).toHaveTextContent('Revoked');
    expect(within(sandbox).getByText('Reconnect needed.')).toBeVisible();
    expect(
      within(sandbox).getByText(/use "connect with oauth" to grant access again/i),
    ).toBeVisible();
    expect(within(sandbox).queryByRole('button', { name: /refresh/i })).not.toBeInTheDocument();
  });

  it('refreshes a token and unlinks one after confirmation', async () => {
    const exp = new Date(Date.now() + 3_600_000).toISOString();
    statuses = new Map([
      [
        'sandbox',
        status('sandbox', 'valid', { kind: 'oauth2', expiresAt: exp, scopes: ['scim.read'] }),
      ],
    ]);
    api((req) => {
      if (req.path === '/api/token/refresh') {
        return {
          body: {
            accessToken: 'new',
            tokenType: 'Bearer',
            expiresAt: exp,
            fingerprint: 'k1:bb',
            status: statuses.get('sandbox'),
          },
        };
      }
      if (req.method === 'DELETE' && req.path === '/api/token') {
        statuses.set('sandbox', status('sandbox', 'missing', { kind: 'oauth2' }));
        return { status: 204 };
      }
      return undefined;
    });
    renderWithApp(<TokensPage />, { route: '/tokens' });
    const sandbox = await screen.findByRole('region', { name: 'Sandbox' });
    expect(within(sandbox).getByText('scim.read')).toBeVisible();
    const user = userEvent.setup();
    await user.click(within(sandbox).getByRole('button', { name: 'Refresh' }));
    expect(await within(sandbox).findByText(/token refreshed; it expires in/i)).toBeVisible();
    expect(server.calls('/api/token/refresh').at(-1)!.body).toEqual({ connectionId: 'sandbox' });

    await user.click(within(sandbox).getByRole('button', { name: 'Unlink' }));
    const dialog = await screen.findByRole('dialog');
    expect(server.calls('/api/token').some((r) => r.method === 'DELETE')).toBe(false);
    await user.click(within(dialog).getByRole('button', { name: 'Unlink' }));
    await waitFor(() =>
      expect(within(card('Sandbox')).getByTestId('token-state')).toHaveTextContent('Missing'),
    );
    expect(
      server
        .calls('/api/token')
        .find((r) => r.method === 'DELETE')!
        .query.get('connectionId'),
    ).toBe('sandbox');
  });
});
