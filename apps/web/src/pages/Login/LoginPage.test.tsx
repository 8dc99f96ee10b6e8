import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route } from 'react-router';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, startApiServer, type ApiServer, type Handler } from '../../test/api-server';
import { demoUser, renderWithApp } from '../../test/render';
import LoginPage from './LoginPage';

let server: ApiServer;
beforeAll(async () => {
  server = await startApiServer();
});
afterAll(() => server.close());

function api(login: Handler, oidcEnabled = false): Handler {
  return (req) => {
    if (req.path === '/api/auth/session')
      return { body: { user: null, csrfToken: null, state: 'none' } };
    if (req.path === '/api/auth/providers') {
      return {
        body: { local: true, oidc: { enabled: oidcEnabled, label: oidcEnabled ? 'Acme SSO' : '' } },
      };
    }
    if (req.path === '/api/settings/branding')
      return { body: { name: 'Acme', primaryColor: '#0d6efd', logoDataUrl: null } };
    if (req.path === '/api/auth/login') return login(req);
    if (req.path === '/api/token/status') return { body: { statuses: [] } };
    return { status: 404, body: apiError('NOT_FOUND', 'Not found.') };
  };
}

function renderLogin(route = '/login') {
  return renderWithApp(<LoginPage />, {
    route,
    path: '/login',
    extraRoutes: <Route path="*" element={<p>Signed-in area</p>} />,
  });
}

describe('sign-in page', () => {
  it('signs in with a local account and goes to the start page', async () => {
    server.handle(api(() => ({ body: { user: demoUser(), csrfToken: 'c' } })));
    renderLogin();
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Username'), 'alice');
    await user.type(screen.getByLabelText('Password'), 'correct horse');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Signed-in area')).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent(/^\/$/);
    expect(server.calls('/api/auth/login').at(-1)!.body).toEqual({
      username: 'alice',
      password: 'correct horse',
    });
  });

  it('says clearly when the credentials are wrong and clears the password', async () => {
    server.handle(
      api(() => ({ status: 401, body: apiError('INVALID_CREDENTIALS', 'Invalid credentials.') })),
    );
    renderLogin();
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Username'), 'alice');
    await user.type(screen.getByLabelText('Password'), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong username or password.');
    expect(screen.getByLabelText('Password')).toHaveValue('');
  });

  it('explains throttling with the server’s wait time and disables the button', async () => {
    server.handle(
      api(() => ({
        status: 429,
        headers: { 'retry-after': '42' },
        body: apiError('RATE_LIMITED', 'Too many requests.'),
      })),
    );
    renderLogin();
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Username'), 'alice');
    await user.type(screen.getByLabelText('Password'), 'x');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Too many sign-in attempts. Wait 42 seconds',
    );
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeDisabled();
  });

  it('offers SSO as a full-page link carrying the return path when OIDC is enabled', async () => {
    server.handle(api(() => ({ status: 500 }), true));
    renderLogin('/login?returnTo=%2Fhistory');
    const link = await screen.findByRole('link', { name: 'Sign in with Acme SSO' });
    expect(link).toHaveAttribute('href', '/api/auth/oidc/start?returnTo=%2Fhistory');
  });

  it('does not offer SSO when it is disabled, and shows an SSO failure from the callback', async () => {
    server.handle(api(() => ({ status: 500 })));
    renderLogin('/login?error=UNAUTHENTICATED');
    expect(
      await screen.findByText('Single sign-on did not complete. Try again.'),
    ).toBeInTheDocument();
    await waitFor(() => expect(server.calls('/api/auth/providers').length).toBeGreaterThan(0));
    expect(screen.queryByRole('link', { name: /sign in with/i })).not.toBeInTheDocument();
  });
});
