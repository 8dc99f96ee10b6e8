import { useState, type FormEvent } from 'react';
import { Button, Col, Form, Row } from 'react-bootstrap';
import type { AuditFilters } from '../../api/logs';
import { AUDIT_ACTIONS, type Connection } from '../../api/types';
import { isoToLocal, localToIso } from './filters';

type Draft = Record<'userId' | 'connectionId' | 'action' | 'outcome' | 'from' | 'to' | 'q', string>;

function draftOf(filters: AuditFilters): Draft {
  return {
    userId: filters.userId ?? '',
    connectionId: filters.connectionId ?? '',
    action: filters.action ?? '',
    outcome: filters.outcome ?? '',
    from: isoToLocal(filters.from),
    to: isoToLocal(filters.to),
    q: filters.q ?? '',
  };
}

export function AuditFiltersForm({
  filters,
  connections,
  users,
  onApply,
}: {
  filters: AuditFilters;
  connections: Connection[];
  /** Known users (admins can list them); others type a user id or pick one from the table. */
  users: { id: string; username: string }[] | null;
  onApply: (next: Record<string, string>) => void;
}) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(filters));
  const [seen, setSeen] = useState(filters);
  // Filters also change from outside (a click on a user in the table): follow them.
  if (seen !== filters) {
    setSeen(filters);
    setDraft(draftOf(filters));
  }
  const set = (key: keyof Draft) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [key]: e.target.value }));
  const invalidRange = draft.from !== '' && draft.to !== '' && draft.from > draft.to;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (invalidRange) return;
    onApply({ ...draft, from: localToIso(draft.from), to: localToIso(draft.to) });
  };
  const reset = () => {
    setDraft(draftOf({}));
    onApply({});
  };

  return (
    <Form
      onSubmit={submit}
      className="border rounded p-3 mb-3 bg-body-tertiary"
      aria-label="Audit filters"
    >
      <Row className="g-2">
        <Col xs={12} sm={6} lg={3}>
          <Form.Group controlId="audit-user">
            <Form.Label>User</Form.Label>
            {users ? (
              <Form.Select value={draft.userId} onChange={set('userId')}>
                <option value="">Everyone</option>
                {users.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.username}
                  </option>
                ))}
              </Form.Select>
            ) : (
              <Form.Control value={draft.userId} onChange={set('userId')} placeholder="User id" />
            )}
          </Form.Group>
        </Col>
        <Col xs={12} sm={6} lg={3}>
          <Form.Group controlId="audit-connection">
            <Form.Label>Connection</Form.Label>
            <Form.Select value={draft.connectionId} onChange={set('connectionId')}>
              <option value="">All connections</option>
              {connections.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </Form.Select>
          </Form.Group>
        </Col>
        <Col xs={12} sm={6} lg={3}>
          <Form.Group controlId="audit-action">
            <Form.Label>Action</Form.Label>
            <Form.Select value={draft.action} onChange={set('action')}>
              <option value="">All actions</option>
              {AUDIT_ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </Form.Select>
          </Form.Group>
        </Col>
        <Col xs={12} sm={6} lg={3}>
          <Form.Group controlId="audit-outcome">
            <Form.Label>Outcome</Form.Label>
            <Form.Select value={draft.outcome} onChange={set('outcome')}>
              <option value="">Any outcome</option>
              <option value="success">Success</option>
              <option value="failure">Failure</option>
            </Form.Select>
          </Form.Group>
        </Col>
        <Col xs={12} sm={6} lg={3}>
          <Form.Group controlId="audit-from">
            <Form.Label>From</Form.Label>
            <Form.Control
              type="datetime-local"
              value={draft.from}
              onChange={set('from')}
              isInvalid={invalidRange}
            />
          </Form.Group>
        </Col>
        <Col xs={12} sm={6} lg={3}>
          <Form.Group controlId="audit-to">
            <Form.Label>To</Form.Label>
            <Form.Control
              type="datetime-local"
              value={draft.to}
              onChange={set('to')}
              isInvalid={invalidRange}
              aria-describedby={invalidRange ? 'audit-range-error' : undefined}
            />
            <Form.Control.Feedback type="invalid" id="audit-range-error">
              “To” must be after “From”.
            </Form.Control.Feedback>
          </Form.Group>
        </Col>
        <Col xs={12} lg={6}>
          <Form.Group controlId="audit-q">
            <Form.Label>Text</Form.Label>
            <Form.Control
              type="search"
              value={draft.q}
              onChange={set('q')}
              placeholder="Filter text, path, error, username…"
            />
          </Form.Group>
        </Col>
      </Row>
      <div className="d-flex gap-2 mt-3">
        <Button type="submit" disabled={invalidRange}>
          <i className="bi bi-funnel me-1" aria-hidden="true" />
          Apply filters
        </Button>
        <Button variant="secondary" onClick={reset}>
          Clear
        </Button>
      </div>
    </Form>
  );
}
