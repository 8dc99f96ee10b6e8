import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, startApiServer, type ApiServer } from '../../test/api-server';
import { demoUser, renderWithApp } from '../../test/render';
import UsersAdminPage from './UsersAdminPage';

const me = demoUser({
  id: 'u1',
  username: 'root',
  role: 'admin',
  permissions: ['admin:manage'],
  disabled: false,
});
const bob = demoUser({
  id: 'u2',
  username: 'bob',
  displayName: 'Bob',
  role: 'viewer',
  disabled: false,
});

let server: ApiServer;
beforeAll(async () => {
  server = await startApiServer((req) => {
    switch (`${req.method} ${req.path}`) {
      case 'GET /api/auth/me':
      case 'GET /api/auth/session':
        return { body: { user: me, csrfToken: 'c', state: 'active' } };
      case 'GET /api/users':
        return { body: { users: [me, bob] } };
      case 'PATCH /api/users/u2':
        return { body: { ...bob, ...(req.body as object) } };
      case 'POST /api/users':
        return (req.body as { username: string }).username === 'bob'
          ? { status: 409, body: apiError('CONFLICT', 'A user with this username exists.') }
          : { status: 201, body: demoUser({ ...(req.body as object), id: 'u3' }) };
      case 'GET /api/token/status':
        return { body: { statuses: [] } };
      default:
        return { status: 404, body: apiError('NOT_FOUND', 'no') };
    }
  });
});
afterAll(() => server.close());

describe('Users admin', { timeout: 30_000 }, () => {
  it('changes a role, disables a user and resets a password; your own row is locked', async () => {
    renderWithApp(<UsersAdminPage />);
    const user = userEvent.setup();
    const role = await screen.findByLabelText('Role of bob');
    expect(screen.getByLabelText('Role of root')).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Disable root' })).toBeDisabled();

    await user.selectOptions(role, 'operator');
    expect(await screen.findByText('bob is now operator.')).toBeVisible();
    await user.click(screen.getByRole('button', { name: 'Disable bob' }));
    expect(await screen.findByText('bob disabled.')).toBeVisible();

    await user.click(screen.getByRole('button', { name: 'Reset password for bob' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByLabelText('New password'), 'short');
    expect(within(dialog).getByRole('button', { name: 'Set password' })).toBeDisabled();
    await user.type(within(dialog).getByLabelText('New password'), '-but-long-enough');
    await user.click(within(dialog).getByRole('button', { name: 'Set password' }));
    expect(await screen.findByText('Password of bob reset.')).toBeVisible();

    const patches = server.calls('/api/users/u2').map((r) => r.body);
    expect(patches).toEqual([
      { role: 'operator' },
      { disabled: true },
      { password: 'short-but-long-enough' },
    ]);
  });

  it('adds a user and reports a taken username', async () => {
    renderWithApp(<UsersAdminPage />);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Username'), 'bob');
    await user.click(screen.getByRole('button', { name: 'Add user' }));
    expect(await screen.findByText('A user with this username exists.')).toBeVisible();
    await user.clear(screen.getByLabelText('Username'));
    await user.type(screen.getByLabelText('Username'), 'carol');
    await user.selectOptions(screen.getByLabelText('Role'), 'auditor');
    await user.type(screen.getByLabelText('Initial password'), 'carol-password-1');
    await user.click(screen.getByRole('button', { name: 'Add user' }));
    expect(await screen.findByText('User carol added as auditor.')).toBeVisible();
    await waitFor(() => expect(screen.getByLabelText('Username')).toHaveValue(''));
    expect(
      server
        .calls('/api/users')
        .filter((r) => r.method === 'POST')
        .at(-1)!.body,
    ).toEqual({
      username: 'carol',
      role: 'auditor',
      password: 'carol-password-1',
    });
  });
});
