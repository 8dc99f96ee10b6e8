import { QueryClientProvider } from '@tanstack/react-query';
import { render, type RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { SessionProvider } from '../auth/session';
import { createQueryClient } from '../query-client';
import { ThemeProvider } from '../theme/theme';

/** Shows the current location so tests can assert navigation. */
function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{`${location.pathname}${location.search}`}</output>;
}

/**
 * Renders a page inside the app's real providers (query client, router, session,
 * theme) at `route`. `path` is the route pattern the page is mounted at.
 */
export function renderWithApp(
  page: ReactElement,
  {
    route = '/',
    path = '*',
    extraRoutes,
  }: { route?: string; path?: string; extraRoutes?: ReactElement } = {},
): RenderResult {
  const client = createQueryClient();
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[route]}>
        <SessionProvider>
          <ThemeProvider>
            <Routes>
              <Route path={path} element={page} />
              {extraRoutes}
            </Routes>
            <LocationProbe />
          </ThemeProvider>
        </SessionProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

export const demoUser = (overrides: Record<string, unknown> = {}) => ({
  id: 'u1',
  username: 'alice',
  displayName: 'Alice Admin',
  role: 'operator',
  permissions: ['query:run', 'query:free-filter', 'token:own', 'history:own'],
  authSource: 'local',
  preferences: { theme: 'system' },
  ...overrides,
});
