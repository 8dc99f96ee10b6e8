import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Alert, Button, Card, Form, Spinner } from 'react-bootstrap';
import { Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { authKeys, fetchProviders, oidcStartUrl, safeReturnTo } from '../../api/auth';
import { toApiError, type ApiError } from '../../api/http';
import { useSession } from '../../auth/session';
import { setTitleSuffix, usePageTitle } from '../../components/use-page-title';
import { useBranding } from '../../theme/use-branding';

/** Messages for `?error=CODE` set by the SSO callback. */
const SSO_ERRORS: Record<string, string> = {
  FORBIDDEN:
    'Your single sign-on account may not use SCIM Console (or was declined). Ask an administrator.',
  UNAUTHENTICATED: 'Single sign-on did not complete. Try again.',
  VALIDATION_FAILED: 'The sign-in link expired or was already used. Start single sign-on again.',
  PROVIDER_ERROR:
    'The identity provider refused or failed the sign-in. Try again or use your local account.',
  PROVIDER_UNREACHABLE:
    'The identity provider cannot be reached. Try again or use your local account.',
};

export function loginErrorMessage(error: ApiError): string {
  switch (error.code) {
    case 'INVALID_CREDENTIALS':
      return 'Wrong username or password.';
    case 'RATE_LIMITED': {
      const wait = Number(error.details?.retryAfter);
      return Number.isFinite(wait) && wait > 0
        ? `Too many sign-in attempts. Wait ${Math.ceil(wait)} seconds and try again.`
        : 'Too many sign-in attempts. Wait a minute and try again.';
    }
    case 'NETWORK_ERROR':
    case 'TIMEOUT':
      return 'The SCIM Console server cannot be reached. Check your connection and try again.';
    default:
      return error.message;
  }
}

export default function LoginPage() {
  usePageTitle('Sign in');
  const branding = useBranding();
  // The signed-in shell (Layout) does this too; the sign-in page is outside it.
  useEffect(() => setTitleSuffix(branding.name), [branding.name]);
  const session = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const from = safeReturnTo(
    (location.state as { from?: string } | null)?.from ?? params.get('returnTo'),
  );
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [retryUntil, setRetryUntil] = useState<number | null>(null);
  const providers = useQuery({
    queryKey: authKeys.providers(),
    queryFn: fetchProviders,
    staleTime: 5 * 60_000,
  });

  // While throttled, keep the button disabled until the server's Retry-After has passed.
  useEffect(() => {
    if (retryUntil === null) return;
    const timer = setTimeout(() => setRetryUntil(null), Math.max(0, retryUntil - Date.now()));
    return () => clearTimeout(timer);
  }, [retryUntil]);

  if (session.status === 'authenticated') return <Navigate to={from} replace />;

  const ssoError = params.get('error');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await session.login(username.trim(), password);
      setPassword('');
      navigate(from, { replace: true });
    } catch (e) {
      const apiError = toApiError(e);
      setError(loginErrorMessage(apiError));
      if (apiError.code === 'RATE_LIMITED') {
        const wait = Number(apiError.details?.retryAfter);
        setRetryUntil(Date.now() + (Number.isFinite(wait) && wait > 0 ? wait : 60) * 1000);
      }
      if (apiError.code === 'INVALID_CREDENTIALS') setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main
      id="main"
      className="container d-flex flex-column align-items-center justify-content-center min-vh-100 py-4"
    >
      <Card className="shadow-sm w-100" style={{ maxWidth: 420 }}>
        <Card.Body className="p-4">
          <div className="text-center mb-3">
            {branding.logoDataUrl ? (
              <img
                src={branding.logoDataUrl}
                alt=""
                height={48}
                className="mb-2"
                style={{ maxWidth: 200, objectFit: 'contain' }}
              />
            ) : (
              <i className="bi bi-diagram-3 fs-1 text-primary d-block" aria-hidden="true" />
            )}
            <h1 className="h4 mb-0">Sign in to {branding.name}</h1>
          </div>
          {session.reason === 'expired' && !error && (
            <Alert variant="info" role="status">
              Your session has expired. Sign in again to continue.
            </Alert>
          )}
          {session.reason === 'signed-out' && !error && (
            <Alert variant="success" role="status">
              You have signed out.
            </Alert>
          )}
          {ssoError && !error && (
            <Alert variant="danger">
              {SSO_ERRORS[ssoError] ?? `Single sign-on failed (${ssoError}).`}
            </Alert>
          )}
          {error && (
            <Alert variant="danger" role="alert">
              {error}
            </Alert>
          )}
          <Form onSubmit={(e) => void submit(e)} noValidate={false}>
            <Form.Group className="mb-3" controlId="login-username">
              <Form.Label>Username</Form.Label>
              <Form.Control
                name="username"
                autoComplete="username"
                autoCapitalize="none"
                spellCheck={false}
                required
                autoFocus
                value={username}
                onChange={(e) => setUsername(e.target.value)}
              />
            </Form.Group>
            <Form.Group className="mb-3" controlId="login-password">
              <Form.Label>Password</Form.Label>
              <Form.Control
                type="password"
                name="password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </Form.Group>
            <Button
              type="submit"
              className="w-100"
              disabled={busy || retryUntil !== null || !username || !password}
            >
              {busy && <Spinner animation="border" size="sm" className="me-2" aria-hidden="true" />}
              Sign in
            </Button>
          </Form>
          {providers.data?.oidc.enabled && (
            <>
              <div
                className="d-flex align-items-center my-3 text-body-secondary small"
                aria-hidden="true"
              >
                <hr className="flex-grow-1" />
                <span className="px-2">or</span>
                <hr className="flex-grow-1" />
              </div>
              {/* A full-page navigation: the IdP redirect cannot happen inside XHR. */}
              <a className="btn btn-outline-primary w-100" href={oidcStartUrl(from)}>
                <i className="bi bi-shield-lock me-2" aria-hidden="true" />
                {providers.data.oidc.label
                  ? `Sign in with ${providers.data.oidc.label}`
                  : 'Sign in with SSO'}
              </a>
            </>
          )}
        </Card.Body>
      </Card>
    </main>
  );
}
