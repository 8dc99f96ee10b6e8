// Every page is a lazy chunk: the entry bundle holds only the shell (header, session,
// sign-in), so the Query page's builder, editor and charts never weigh on first load.
import { lazy } from 'react';
import type { Permission } from './api/types';

export const QueryPage = lazy(() => import('./pages/Query'));
export const LoginPage = lazy(() => import('./pages/Login'));
export const TokensPage = lazy(() => import('./pages/Tokens'));
export const HistoryPage = lazy(() => import('./pages/History'));
export const AuditPage = lazy(() => import('./pages/Audit'));
export const ConnectionsAdminPage = lazy(() =>
  import('./pages/Admin').then((m) => ({ default: m.ConnectionsAdminPage })),
);
export const UsersAdminPage = lazy(() =>
  import('./pages/Admin').then((m) => ({ default: m.UsersAdminPage })),
);
export const BrandingAdminPage = lazy(() =>
  import('./pages/Admin').then((m) => ({ default: m.BrandingAdminPage })),
);
export const NotFoundPage = lazy(() => import('./pages/NotFound'));

/** The page a user lands on at "/" when they cannot run queries (auditors). */
export function homeFor(can: (p: Permission) => boolean): string {
  if (can('query:run')) return '/';
  if (can('audit:read-all')) return '/audit';
  if (can('history:own')) return '/history';
  return '/tokens';
}
