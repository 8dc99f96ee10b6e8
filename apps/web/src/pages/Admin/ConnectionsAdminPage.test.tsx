import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, startApiServer, type ApiServer } from '../../test/api-server';
import { demoUser, renderWithApp } from '../../test/render';
import ConnectionsAdminPage from './ConnectionsAdminPage';

const okta = {
  id: 'c1',
  name: 'Okta prod',
  baseUrl: 'https://acme.okta.com/scim/v2',
  authKind: 'static',
  executionMode: 'direct',
  vendor: 'okta',
  allowPrivateNetwork: false,
  oauth: null,
  grants: { roles: ['operator'], userIds: [] },
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
};

let server: ApiServer;
beforeAll(async () => {
  server = await startApiServer((req) => {
    switch (`${req.method} ${req.path}`) {
      case 'GET /api/auth/me':
        return {
          body: {
            user: demoUser({ role: 'admin', permissions: ['admin:manage', 'token:own'] }),
            csrfToken: 'c',
          },
        };
      case 'GET /api/connections':
        return { body: { connections: [okta] } };
      case 'GET /api/users':
        return { body: { users: [demoUser()] } };
      case 'GET /api/token/status':
        return { body: { statuses: [] } };
      case 'POST /api/connections': {
        const body = req.body as { oauth: { scopes: string[] } | null };
        if (body.oauth?.scopes.some((s) => s.includes('"'))) {
          return {
            status: 400,
            body: apiError('VALIDATION_FAILED', 'body.oauth.scopes.1: must be a scope token', {
              field: 'body.oauth.scopes.1',
              issues: [{ field: 'body.oauth.scopes.1', message: 'must be a scope token' }],
            }),
          };
        }
        return { status: 201, body: { ...okta, ...(req.body as object), id: 'c2' } };
      }
      case 'POST /api/connections/c1/test':
        return {
          body: { ok: true, status: 200, latencyMs: 42, message: 'ServiceProviderConfig read.' },
        };
      default:
        return { status: 404, body: apiError('NOT_FOUND', 'no') };
    }
  });
});
afterAll(() => server.close());

// Role queries over a large form are slow in jsdom.
describe('Connections admin', { timeout: 30_000 }, () => {
  it('tests a connection and shows the outcome', async () => {
    renderWithApp(<ConnectionsAdminPage />);
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Test Okta prod' }));
    expect(
      await screen.findByText(/Reachable · HTTP 200 · 42 ms · ServiceProviderConfig read\./),
    ).toBeVisible();
  });

  it('checks the form, shows the API’s field error on its field, then creates', async () => {
    renderWithApp(<ConnectionsAdminPage />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'New connection' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Create connection' }));
    expect(within(dialog).getByText('Name is required')).toBeVisible();
    expect(server.calls('/api/connections').filter((r) => r.method === 'POST')).toHaveLength(0);

    await user.type(within(dialog).getByLabelText('Name'), 'Sandbox');
    await user.clear(within(dialog).getByLabelText('SCIM base URL'));
    await user.type(
      within(dialog).getByLabelText('SCIM base URL'),
      'https://sandbox.example.test/scim/v2',
    );
    await user.click(within(dialog).getByLabelText(/^OAuth 2\.0/));
    await user.type(
      within(dialog).getByLabelText('Issuer (discovery)'),
      'https://idp.example.test',
    );
    await user.type(within(dialog).getByLabelText('Client ID'), 'console');
    await user.type(within(dialog).getByLabelText('Scopes', { exact: true }), 'scim.read "bad"');
    await user.click(within(dialog).getByLabelText(/^Relay/));
    await user.click(within(dialog).getByRole('button', { name: 'Create connection' }));
    expect(await within(dialog).findByText('Scopes must be a scope token')).toBeVisible();
    expect(within(dialog).getByLabelText('Scopes', { exact: true })).toHaveAttribute(
      'aria-invalid',
      'true',
    );

    await user.clear(within(dialog).getByLabelText('Scopes', { exact: true }));
    await user.type(
      within(dialog).getByLabelText('Scopes', { exact: true }),
      'scim.read offline_access',
    );
    await user.click(within(dialog).getByRole('button', { name: 'Create connection' }));
    expect(await screen.findByText('Connection “Sandbox” created.')).toBeVisible();
    const created = server
      .calls('/api/connections')
      .filter((r) => r.method === 'POST')
      .at(-1)!;
    expect(created.body).toMatchObject({
      name: 'Sandbox',
      authKind: 'oauth2',
      executionMode: 'relay',
      oauth: {
        issuer: 'https://idp.example.test',
        clientId: 'console',
        scopes: ['scim.read', 'offline_access'],
      },
    });
    expect(created.body).not.toHaveProperty('oauth.clientSecret');
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  });
});
