import { useId, useState, type ReactNode } from 'react';
import { Button, Modal, type ButtonProps } from 'react-bootstrap';

/** A button that asks before doing something that cannot be undone. */
export function ConfirmButton({
  onConfirm,
  title,
  body,
  confirmLabel = 'Confirm',
  children,
  variant = 'outline-danger',
  size,
  disabled,
  className,
  'aria-label': ariaLabel,
}: {
  onConfirm: () => void | Promise<unknown>;
  title: string;
  body: ReactNode;
  confirmLabel?: string;
  children: ReactNode;
  variant?: ButtonProps['variant'];
  size?: ButtonProps['size'];
  disabled?: boolean;
  className?: string;
  'aria-label'?: string;
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const titleId = useId();
  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
      setOpen(false);
    }
  };
  return (
    <>
      <Button
        variant={variant}
        size={size}
        disabled={disabled}
        className={className}
        aria-label={ariaLabel}
        onClick={() => setOpen(true)}
      >
        {children}
      </Button>
      <Modal show={open} onHide={() => setOpen(false)} aria-labelledby={titleId} centered>
        <Modal.Header closeButton>
          <Modal.Title id={titleId} as="h2" className="h5">
            {title}
          </Modal.Title>
        </Modal.Header>
        <Modal.Body>{body}</Modal.Body>
        <Modal.Footer>
          <Button variant="secondary" onClick={() => setOpen(false)} disabled={busy}>
            Cancel
          </Button>
          <Button variant="danger" onClick={() => void confirm()} disabled={busy}>
            {confirmLabel}
          </Button>
        </Modal.Footer>
      </Modal>
    </>
  );
}
