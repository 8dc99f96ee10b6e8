// One resource as pretty JSON in an offcanvas panel, with a copy button.
import { useState } from 'react';
import { Button, Offcanvas } from 'react-bootstrap';
import type { ScimResource } from '../../scim/list-response';

export function RowDetail({ row, onClose }: { row: ScimResource | null; onClose: () => void }) {
  const [copied, setCopied] = useState(false);
  const json = row ? JSON.stringify(row, null, 2) : '';
  const title = row ? String(row.userName ?? row.displayName ?? row.id ?? 'Resource') : '';
  return (
    <Offcanvas
      show={row !== null}
      onHide={onClose}
      placement="end"
      style={{ width: 'min(40rem, 100vw)' }}
    >
      <Offcanvas.Header closeButton closeLabel="Close details">
        <Offcanvas.Title as="h2" className="h5 text-break">
          {title}
        </Offcanvas.Title>
      </Offcanvas.Header>
      <Offcanvas.Body>
        <Button
          size="sm"
          variant="outline-secondary"
          className="mb-2"
          onClick={() => {
            void navigator.clipboard?.writeText(json).then(() => setCopied(true));
          }}
        >
          <i className="bi bi-clipboard me-1" aria-hidden="true" />
          {copied ? 'Copied' : 'Copy JSON'}
        </Button>
        <pre
          className="bg-body-tertiary border rounded p-2 small"
          tabIndex={0}
          aria-label="Resource JSON"
        >
          <code>{json}</code>
        </pre>
      </Offcanvas.Body>
    </Offcanvas>
  );
}
