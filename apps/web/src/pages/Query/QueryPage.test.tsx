// The Query page against a real local HTTP server standing in for the console API and
// the SCIM provider: raw-filter validation, builder ⇄ text sync, a full run, viewers.
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  startApiServer,
  type ApiServer,
  type RecordedRequest,
  type Reply,
} from '../../test/api-server';
import { demoUser, renderWithApp } from '../../test/render';
import { clearTokens } from '../../token-store/token-store';
import QueryPage from './index';
import { encodeInput } from './query-form';
import { queryOptions } from './test/fixtures';

let server: ApiServer;
let user = demoUser();

beforeAll(async () => {
  server = await startApiServer();
});
afterAll(() => server.close());
afterEach(() => {
  clearTokens();
  server.requests.length = 0;
  user = demoUser();
});

const alice = {
  id: 'u1',
  userName: 'alice',
  active: true,
  emails: [{ value: 'alice@x', type: 'work', primary: true }],
  meta: { lastModified: '2026-01-02T00:00:00Z' },
};

function api(extra?: (req: RecordedRequest) => Reply | undefined) {
  server.handle((req) => {
    const special = extra?.(req);
    if (special) return special;
    switch (`${req.method} ${req.path}`) {
      case 'GET /api/auth/me':
      case 'GET /api/auth/session':
        return { body: { user, csrfToken: 'csrf-1', state: 'active' } };
      case 'GET /api/connections':
        return {
          body: {
            connections: [
              {
                id: 'c1',
                name: 'Sandbox',
                baseUrl: `${server.url}/scim/v2`,
                authKind: 'static',
                executionMode: 'direct',
                vendor: 'generic',
                allowPrivateNetwork: true,
                oauth: null,
                grants: { roles: ['operator'], userIds: [] },
                createdAt: '2026-01-01T00:00:00Z',
                updatedAt: '2026-01-01T00:00:00Z',
              },
            ],
          },
        };
      case 'GET /api/token/status':
        return { body: { statuses: [] } };
      case 'GET /api/query-options':
        return { body: queryOptions() };
      case 'GET /api/token':
        return {
          body: {
            accessToken: 'secret-token',
            tokenType: 'Bearer',
            expiresAt: null,
            fingerprint: 'k1:…',
          },
        };
      case 'POST /api/scim-query': {
        const body = req.body as { filter?: string };
        const filter = body.filter ?? 'userName sw "a"';
        return {
          body: {
            queryId: 'q1',
            connectionId: 'c1',
            resourceType: 'User',
            method: 'GET',
            url: `${server.url}/scim/v2/Users?filter=${encodeURIComponent(filter)}&count=50`,
            path: '/Users',
            params: { filter, count: '50' },
            body: null,
            filter,
            ast: null,
            warnings: [{ code: 'VENDOR_NOTE', message: 'The sandbox sorts by id.' }],
            execution: {
              mode: 'direct',
              baseUrl: `${server.url}/scim/v2`,
              relayUrl: null,
              headers: { Accept: 'application/scim+json' },
            },
          },
        };
      }
      case 'GET /scim/v2/Users':
        return {
          body: {
            schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
            totalResults: 1,
            startIndex: 1,
            itemsPerPage: 1,
            Resources: [alice],
          },
        };
      case 'POST /api/logs/q1/outcome':
        return { status: 204 };
      default:
        return { status: 404, body: { error: { code: 'NOT_FOUND', message: 'Not found.' } } };
    }
  });
}

const link = (input: Record<string, unknown>) =>
  `/?input=${encodeInput({ connectionId: 'c1', resourceType: 'User', ...input } as never)}`;

// The first render loads the lazy CodeMirror chunk, which takes a moment under Vitest.
describe('QueryPage', { timeout: 20_000 }, () => {
  it('shows a raw filter error at its position and sends nothing while it is invalid', async () => {
    api();
    renderWithApp(<QueryPage />, { route: link({ filter: 'userName eq "a" and' }) });
    const error = await screen.findByTestId('filter-error-caret', {}, { timeout: 8_000 });
    // The caret sits under the end of the text, where a filter was expected.
    const [line, caret] = error.textContent!.split('\n');
    expect(line).toBe('userName eq "a" and');
    expect(caret!.indexOf('^')).toBeGreaterThanOrEqual(line!.length - 4);
    expect(document.getElementById('raw-filter-error')).toHaveTextContent(
      /position \d+|at character \d+/,
    );
    const run = screen.getByRole('button', { name: /Run/ });
    expect(run).toBeDisabled();
    fireEvent.keyDown(run, { key: 'Enter', ctrlKey: true });
    // The editor underlines the error too.
    await waitFor(() => expect(document.querySelector('.cm-lintRange-error')).not.toBeNull(), {
      timeout: 3_000,
    });
    expect(server.calls('/api/scim-query')).toHaveLength(0);
  });

  it('shows a text filter in the builder and builder edits in the text', async () => {
    api();
    const ui = userEvent.setup();
    renderWithApp(<QueryPage />, {
      route: link({ filter: 'emails[type eq "work" and value co "@x"] and not (active eq false)' }),
    });
    await screen.findByTestId('raw-filter-editor', {}, { timeout: 8_000 });
    await ui.click(screen.getByRole('tab', { name: 'Builder' }));
    expect(await screen.findByText('emails[ … ]')).toBeInTheDocument();
    expect(screen.getByTestId('builder-filter-text')).toHaveTextContent(
      'emails[type eq "work" and value co "@x"] and not (active eq false)',
    );
    const value = screen.getByDisplayValue('@x');
    await ui.clear(value);
    await ui.type(value, '@y');
    expect(screen.getByTestId('builder-filter-text')).toHaveTextContent('value co "@y"');
    await ui.click(screen.getByRole('tab', { name: 'Filter text' }));
    await waitFor(() =>
      expect(document.querySelector('.cm-content')?.textContent).toBe(
        'emails[type eq "work" and value co "@y"] and not (active eq false)',
      ),
    );
  });

  it('says when a text filter can only be edited as text', async () => {
    api();
    const ui = userEvent.setup();
    renderWithApp(<QueryPage />, { route: link({ filter: 'title co "x"' }) });
    await screen.findByTestId('raw-filter-editor', {}, { timeout: 8_000 });
    await ui.click(screen.getByRole('tab', { name: 'Builder' }));
    expect(await screen.findByText(/can only be edited as text/)).toHaveTextContent(
      'the builder does not offer the attribute "title"',
    );
  });

  it('runs: generates, sends with the in-memory token, shows the rows and warnings, reports the outcome once', async () => {
    api();
    const ui = userEvent.setup();
    renderWithApp(<QueryPage />, { route: link({ filter: 'userName sw "a"' }) });
    await screen.findByTestId('raw-filter-editor', {}, { timeout: 8_000 });
    await ui.click(screen.getByRole('button', { name: /Run/ }));
    expect(await screen.findByText(/1–1 of 1/, {}, { timeout: 5_000 })).toBeInTheDocument();
    // jsdom has no layout, so the virtualised table renders no rows here; the JSON view shows them.
    await ui.click(screen.getByRole('radio', { name: 'JSON' }));
    expect(screen.getByLabelText('Results as JSON')).toHaveTextContent('"userName": "alice"');
    expect(screen.getByText('The sandbox sorts by id.')).toBeInTheDocument();
    expect(server.calls('/api/scim-query')[0]!.body).toMatchObject({
      connectionId: 'c1',
      resourceType: 'User',
      filter: 'userName sw "a"',
      count: 50,
    });
    expect(server.calls('/scim/v2/Users')[0]!.headers.authorization).toBe('Bearer secret-token');
    await waitFor(() => expect(server.calls('/api/logs/q1/outcome')).toHaveLength(1));
    expect(server.calls('/api/logs/q1/outcome')[0]!.body).toMatchObject({
      status: 200,
      resultCount: 1,
      totalResults: 1,
      pages: 1,
    });
    expect(document.body.textContent).not.toContain('secret-token');
  });

  it('viewers get predefined queries only', async () => {
    user = demoUser({ role: 'viewer', permissions: ['query:run', 'token:own', 'history:own'] });
    api();
    renderWithApp(<QueryPage />, { route: '/' });
    const tabs = await screen.findByRole('tablist');
    expect(within(tabs).queryByRole('tab', { name: 'Builder' })).toBeNull();
    expect(within(tabs).getByRole('tab', { name: 'Predefined' })).toHaveAttribute(
      'aria-selected',
      'true',
    );
    expect(screen.getByLabelText('Predefined query')).toBeInTheDocument();
  });

  it('asks for a required preset parameter before sending, then sends the preset', async () => {
    user = demoUser({ role: 'viewer', permissions: ['query:run', 'token:own', 'history:own'] });
    api();
    const ui = userEvent.setup();
    renderWithApp(<QueryPage />, { route: '/' });
    await ui.selectOptions(await screen.findByLabelText('Predefined query'), 'users-in-department');
    await ui.click(screen.getByRole('button', { name: /Run/ }));
    expect(await screen.findByText('Enter "Department".')).toBeInTheDocument();
    expect(server.calls('/api/scim-query')).toHaveLength(0);
    await ui.type(screen.getByLabelText(/Department/), 'Sales');
    await ui.click(screen.getByRole('button', { name: /Run/ }));
    await waitFor(() => expect(server.calls('/api/scim-query')).toHaveLength(1));
    expect(server.calls('/api/scim-query')[0]!.body).toMatchObject({
      preset: { id: 'users-in-department', params: { department: 'Sales' } },
    });
    expect(server.calls('/api/scim-query')[0]!.body).not.toHaveProperty('filter');
  });
});
