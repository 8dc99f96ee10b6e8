import { Alert } from 'react-bootstrap';
import { Link } from 'react-router';
import { usePageTitle } from './use-page-title';

/** Shown when a page is reached without the permission it needs. */
export function Forbidden() {
  usePageTitle('Not allowed');
  return (
    <section aria-labelledby="forbidden-title">
      <h1 id="forbidden-title" className="h3">
        Not allowed
      </h1>
      <Alert variant="warning">
        <i className="bi bi-shield-lock me-2" aria-hidden="true" />
        Your role does not allow this page (HTTP 403). Ask an administrator if you need access.{' '}
        <Link to="/" className="alert-link">
          Go to the start page
        </Link>
        .
      </Alert>
    </section>
  );
}
