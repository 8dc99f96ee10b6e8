import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../api/types';
import { apiError, startApiServer, type ApiServer } from '../../test/api-server';
import { demoUser, renderWithApp } from '../../test/render';
import AuditPage from './AuditPage';

const event = (seq: number, over: Partial<AuditEvent> = {}): AuditEvent => ({
  seq,
  at: new Date(Date.UTC(2026, 11, 4, 10, seq)).toISOString(),
  actor: { id: 'u7', username: 'carol' },
  token: { fingerprint: 'k1:ab·…wxyz', version: 1 },
  connectionId: 'okta',
  action: 'query.generated',
  result: 'success',
  queryId: `q${seq}`,
  request: { method: 'GET', path: '/Users', params: {}, filter: `userName eq "u${seq}"` },
  outcome: null,
  ip: '127.0.0.1',
  userAgent: 'test',
  requestId: `r${seq}`,
  prevHash: 'p',
  hash: `h${seq}`,
  details: null,
  ...over,
});

let server: ApiServer;
let verify: object;
beforeAll(async () => {
  server = await startApiServer((req) => {
    switch (`${req.method} ${req.path}`) {
      case 'GET /api/auth/me':
        return {
          body: {
            user: demoUser({
              role: 'auditor',
              permissions: ['token:own', 'history:own', 'audit:read-all'],
            }),
            csrfToken: 'c',
          },
        };
      case 'GET /api/connections':
        return { body: { connections: [{ id: 'okta', name: 'Okta prod' }] } };
      case 'GET /api/token/status':
        return { body: { statuses: [] } };
      case 'GET /api/logs':
        return req.query.get('cursor') === 'page2'
          ? { body: { events: [event(1)], nextCursor: null } }
          : { body: { events: [event(3), event(2)], nextCursor: 'page2' } };
      case 'GET /api/logs/verify':
        return { body: verify };
      default:
        return { status: 404, body: apiError('NOT_FOUND', 'no') };
    }
  });
});
afterAll(() => server.close());

describe('Audit page', () => {
  it('pages with the cursor and keeps the filters in the request and the export links', async () => {
    renderWithApp(<AuditPage />, {
      route: '/audit?action=query.generated&outcome=failure',
      path: '/audit',
    });
    expect(await screen.findByText('userName eq "u3"')).toBeVisible();
    const first = server.calls('/api/logs').at(-1)!;
    expect(first.query.get('scope')).toBe('all');
    expect(first.query.get('action')).toBe('query.generated');
    expect(first.query.get('outcome')).toBe('failure');
    expect(screen.getByRole('link', { name: /export csv/i })).toHaveAttribute(
      'href',
      '/api/logs/export?format=csv&scope=all&action=query.generated&outcome=failure',
    );
    expect(screen.getAllByText('Okta prod').length).toBeGreaterThan(0);

    await userEvent.setup().click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('userName eq "u1"')).toBeVisible();
    expect(server.calls('/api/logs').at(-1)!.query.get('cursor')).toBe('page2');
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
  });

  it('applies a text filter and a user picked from the table', async () => {
    renderWithApp(<AuditPage />, { route: '/audit', path: '/audit' });
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Text'), 'u3');
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));
    await waitFor(() => expect(server.calls('/api/logs').at(-1)!.query.get('q')).toBe('u3'));
    await user.click((await screen.findAllByRole('button', { name: 'carol' }))[0]!);
    await waitFor(() => expect(server.calls('/api/logs').at(-1)!.query.get('userId')).toBe('u7'));
    expect(server.calls('/api/logs').at(-1)!.query.get('q')).toBe('u3');
  });

  it('reports an intact chain, and the first broken seq when it is not', async () => {
    verify = { ok: true, checked: 3, lastSeq: 3, lastHash: 'h3' };
    renderWithApp(<AuditPage />, { route: '/audit', path: '/audit' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Verify chain' }));
    expect(
      await screen.findByText(/the audit trail is intact: 3 events checked, up to seq 3/i),
    ).toBeVisible();
    verify = { ok: false, checked: 1, brokenAt: 2, reason: 'hash mismatch' };
    await user.click(screen.getByRole('button', { name: 'Verify chain' }));
    expect(await screen.findByText(/the chain is broken at seq/i)).toHaveTextContent(
      'The chain is broken at seq 2 (hash mismatch).',
    );
  });
});
