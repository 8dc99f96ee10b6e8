import { useEffect, useState } from 'react';
import { Spinner } from 'react-bootstrap';

/** A loading indicator that appears only when waiting takes longer than `delayMs` (no flicker). */
export function DelayedSpinner({
  label = 'Loading…',
  delayMs = 150,
}: {
  label?: string;
  delayMs?: number;
}) {
  const [visible, setVisible] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setVisible(true), delayMs);
    return () => clearTimeout(timer);
  }, [delayMs]);
  if (!visible) return null;
  return (
    <div className="d-flex align-items-center gap-2 text-body-secondary my-3" role="status">
      <Spinner animation="border" size="sm" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}
