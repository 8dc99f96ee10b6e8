import { Alert, Button } from 'react-bootstrap';
import { toApiError } from '../api/http';

/** An API failure in words, with the field at fault and a retry when one makes sense. */
export function ErrorAlert({
  error,
  title,
  onRetry,
  className,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
  className?: string;
}) {
  if (!error) return null;
  const e = toApiError(error);
  const field = typeof e.details?.field === 'string' ? e.details.field : null;
  return (
    <Alert variant="danger" className={className} role="alert">
      {title && <div className="fw-semibold">{title}</div>}
      <div>
        {e.message}
        {field && <span className="text-body-secondary"> (field: {field})</span>}
      </div>
      {e.status === 403 && <div className="small mt-1">Your role does not allow this.</div>}
      {onRetry && (
        <Button variant="danger" size="sm" className="mt-2" onClick={onRetry}>
          Try again
        </Button>
      )}
    </Alert>
  );
}
