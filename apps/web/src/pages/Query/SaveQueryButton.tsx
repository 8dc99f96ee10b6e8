// "Save query": names the current scim-query input and stores it (History lists it).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Form, InputGroup } from 'react-bootstrap';
import { toApiError } from '../../api/http';
import { saveQuery, savedQueryKeys } from '../../api/saved-queries';
import type { ScimQueryInput } from '../../api/scim-query';

export function SaveQueryButton({ input }: { input: ScimQueryInput }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: () => {
      // Save the query, not the page being looked at: keep "cursor paging" (an empty
      // cursor) but drop a position in the result set.
      const { startIndex: _s, cursor, ...rest } = input;
      const saved = cursor === undefined ? rest : { ...rest, cursor: '' };
      return saveQuery(name.trim(), saved as Record<string, unknown>);
    },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: savedQueryKeys.all });
      setOpen(false);
      setName('');
    },
  });
  if (!open) {
    return (
      <Button size="sm" variant="outline-secondary" onClick={() => setOpen(true)}>
        <i className="bi bi-bookmark me-1" aria-hidden="true" />
        {save.isSuccess ? 'Saved' : 'Save query'}
      </Button>
    );
  }
  return (
    <Form
      onSubmit={(e) => {
        e.preventDefault();
        if (name.trim()) save.mutate();
      }}
      className="d-inline-flex"
    >
      <InputGroup size="sm" hasValidation>
        <Form.Control
          autoFocus
          aria-label="Name of the saved query"
          placeholder="Name, e.g. Inactive contractors"
          value={name}
          maxLength={200}
          onChange={(e) => setName(e.target.value)}
          isInvalid={save.isError}
        />
        <Button type="submit" variant="primary" disabled={!name.trim() || save.isPending}>
          Save
        </Button>
        <Button variant="outline-secondary" onClick={() => setOpen(false)}>
          Cancel
        </Button>
        {save.isError && (
          <Form.Control.Feedback type="invalid">
            {toApiError(save.error).message}
          </Form.Control.Feedback>
        )}
      </InputGroup>
    </Form>
  );
}
