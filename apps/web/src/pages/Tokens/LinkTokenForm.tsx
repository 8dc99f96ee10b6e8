import { useId, useState, type FormEvent } from 'react';
import { Button, Form, InputGroup, Spinner } from 'react-bootstrap';
import { toApiError } from '../../api/http';
import { linkToken } from '../../api/token';
import type { TokenStatus } from '../../api/types';

/**
 * Paste a personal API token. The value lives only in this input's state: it is sent
 * once (PUT /api/token, verified by the backend against the provider), then cleared,
 * and never logged or echoed in a message.
 */
export function LinkTokenForm({
  connectionId,
  connectionName,
  relink,
  onLinked,
}: {
  connectionId: string;
  connectionName: string;
  relink: boolean;
  onLinked: (status: TokenStatus) => void;
}) {
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const inputId = useId();
  const errorId = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const token = value.trim();
    if (!token) return;
    setBusy(true);
    setError(null);
    try {
      const status = await linkToken(connectionId, token);
      onLinked(status);
    } catch (e) {
      const apiError = toApiError(e);
      setError(
        apiError.code === 'TOKEN_INVALID'
          ? `${connectionName} did not accept this token: ${apiError.message}`
          : apiError.message,
      );
    } finally {
      // Cleared whatever happened: a rejected token is as sensitive as an accepted one.
      setValue('');
      setBusy(false);
    }
  };

  return (
    <Form onSubmit={(e) => void submit(e)} className="mt-2">
      <Form.Label htmlFor={inputId}>
        {relink ? 'Replace with a new token' : 'Paste your API token'}
      </Form.Label>
      <InputGroup hasValidation>
        <Form.Control
          id={inputId}
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          isInvalid={error !== null}
          aria-describedby={error ? errorId : undefined}
          placeholder="Token from your provider's admin console"
        />
        <Button type="submit" disabled={busy || value.trim() === ''}>
          {busy && <Spinner animation="border" size="sm" className="me-1" aria-hidden="true" />}
          {relink ? 'Replace' : 'Link token'}
        </Button>
        <Form.Control.Feedback type="invalid" id={errorId}>
          {error}
        </Form.Control.Feedback>
      </InputGroup>
      <Form.Text>
        The token is verified with the provider, stored encrypted on the server, and never shown
        again.
      </Form.Text>
    </Form>
  );
}
