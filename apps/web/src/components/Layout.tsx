import { Suspense, useEffect } from 'react';
import { Alert } from 'react-bootstrap';
import { Outlet } from 'react-router';
import { useTheme } from '../theme/theme';
import { useBranding } from '../theme/use-branding';
import { DelayedSpinner } from './DelayedSpinner';
import { Header } from './Header';
import { setTitleSuffix } from './use-page-title';

/** The signed-in frame: skip link, header, and the single <main> landmark. */
export function Layout() {
  const branding = useBranding();
  const { saveError } = useTheme();
  useEffect(() => setTitleSuffix(branding.name), [branding.name]);
  return (
    <>
      <a
        href="#main"
        className="visually-hidden-focusable position-absolute top-0 start-0 m-2 p-2 bg-body border rounded z-3"
      >
        Skip to main content
      </a>
      <Header branding={branding} />
      <main id="main" tabIndex={-1} className="container-fluid py-3 flex-grow-1">
        {saveError && (
          <Alert variant="warning" dismissible>
            {saveError}
          </Alert>
        )}
        <Suspense fallback={<DelayedSpinner label="Loading page…" />}>
          <Outlet />
        </Suspense>
      </main>
    </>
  );
}
