import { Suspense, useEffect, useRef } from 'react';
import { Alert } from 'react-bootstrap';
import { Outlet, useLocation } from 'react-router';
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
  // After client-side navigation, move focus to the new page (as a full page load would),
  // so keyboard and screen-reader users start at its content rather than the old link.
  const { pathname } = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [pathname]);
  return (
    <>
      <a
        href="#main"
        className="visually-hidden-focusable position-absolute top-0 start-0 m-2 p-2 bg-body border rounded z-3"
      >
        Skip to main content
      </a>
      <Header branding={branding} />
      <main id="main" ref={main} tabIndex={-1} className="container-fluid py-3 flex-grow-1">
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
