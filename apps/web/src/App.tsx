import { Suspense } from 'react';
import { Alert, Button } from 'react-bootstrap';
import { Navigate, Route, Routes } from 'react-router';
import { RequireAuth, RequirePermission } from './auth/require';
import { useSession } from './auth/session';
import { DelayedSpinner } from './components/DelayedSpinner';
import { Layout } from './components/Layout';
import {
  AuditPage,
  BrandingAdminPage,
  ConnectionsAdminPage,
  HistoryPage,
  homeFor,
  LoginPage,
  NotFoundPage,
  QueryPage,
  TokensPage,
  UsersAdminPage,
} from './routes';

function Home() {
  const { can } = useSession();
  if (!can('query:run')) return <Navigate to={homeFor(can)} replace />;
  return <QueryPage />;
}

export function App() {
  const session = useSession();
  if (session.status === 'loading') {
    return (
      <main id="main" className="container py-5">
        <DelayedSpinner label="Loading SCIM Console…" />
      </main>
    );
  }
  if (session.status === 'error') {
    return (
      <main id="main" className="container py-5">
        <h1 className="h4">SCIM Console is unavailable</h1>
        <Alert variant="danger">
          {session.error?.message ?? 'The server could not be reached.'}
        </Alert>
        <Button onClick={session.reload}>Try again</Button>
      </main>
    );
  }
  return (
    <Suspense
      fallback={
        <main id="main" className="container py-5">
          <DelayedSpinner />
        </main>
      }
    >
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route
          element={
            <RequireAuth>
              <Layout />
            </RequireAuth>
          }
        >
          <Route index element={<Home />} />
          <Route
            path="history"
            element={
              <RequirePermission permission="history:own">
                <HistoryPage />
              </RequirePermission>
            }
          />
          <Route
            path="tokens"
            element={
              <RequirePermission permission="token:own">
                <TokensPage />
              </RequirePermission>
            }
          />
          <Route
            path="audit"
            element={
              <RequirePermission permission="audit:read-all">
                <AuditPage />
              </RequirePermission>
            }
          />
          <Route path="admin">
            <Route index element={<Navigate to="/admin/connections" replace />} />
            <Route
              path="connections"
              element={
                <RequirePermission permission="admin:manage">
                  <ConnectionsAdminPage />
                </RequirePermission>
              }
            />
            <Route
              path="users"
              element={
                <RequirePermission permission="admin:manage">
                  <UsersAdminPage />
                </RequirePermission>
              }
            />
            <Route
              path="branding"
              element={
                <RequirePermission permission="admin:manage">
                  <BrandingAdminPage />
                </RequirePermission>
              }
            />
          </Route>
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </Suspense>
  );
}
