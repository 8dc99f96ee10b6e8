import { VENDOR_PROFILES } from '@scim-console/scim';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Alert, Badge, Button, Modal, Spinner, Table } from 'react-bootstrap';
import {
  connectionKeys,
  createConnection,
  deleteConnection,
  fetchConnections,
  testConnection,
  updateConnection,
} from '../../api/connections';
import { toApiError } from '../../api/http';
import type { Connection, ConnectionInput, ConnectionTestResult } from '../../api/types';
import { ConfirmButton } from '../../components/ConfirmButton';
import { DelayedSpinner } from '../../components/DelayedSpinner';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { usePageTitle } from '../../components/use-page-title';
import { AdminNav } from './AdminNav';
import { ConnectionForm } from './ConnectionForm';

type Editing = { mode: 'create' } | { mode: 'edit'; connection: Connection } | null;

function TestResult({ result }: { result: ConnectionTestResult | { error: string } }) {
  if ('error' in result)
    return (
      <Alert variant="danger" className="py-1 px-2 mb-0 small">
        {result.error}
      </Alert>
    );
  return (
    <Alert variant={result.ok ? 'success' : 'danger'} className="py-1 px-2 mb-0 small">
      <i className={`bi bi-${result.ok ? 'check-circle' : 'x-circle'} me-1`} aria-hidden="true" />
      {result.ok ? 'Reachable' : 'Failed'}
      {result.status !== undefined && ` · HTTP ${result.status}`} · {result.latencyMs} ms ·{' '}
      {result.message}
    </Alert>
  );
}

export default function ConnectionsAdminPage() {
  usePageTitle('Connections');
  const queryClient = useQueryClient();
  const connections = useQuery({ queryKey: connectionKeys.list(), queryFn: fetchConnections });
  const [editing, setEditing] = useState<Editing>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [tests, setTests] = useState<
    Record<string, ConnectionTestResult | { error: string } | 'running'>
  >({});

  const save = useMutation({
    mutationFn: (input: ConnectionInput) =>
      editing?.mode === 'edit'
        ? updateConnection(editing.connection.id, input)
        : createConnection(input),
    onSuccess: (saved) => {
      setNotice(`Connection “${saved.name}” ${editing?.mode === 'edit' ? 'saved' : 'created'}.`);
      setEditing(null);
      void queryClient.invalidateQueries({ queryKey: connectionKeys.all });
    },
  });
  const remove = useMutation({
    mutationFn: (c: Connection) => deleteConnection(c.id),
    onSuccess: (_, c) => {
      setNotice(`Connection “${c.name}” deleted.`);
      void queryClient.invalidateQueries({ queryKey: connectionKeys.all });
    },
  });
  const runTest = async (c: Connection) => {
    setTests((t) => ({ ...t, [c.id]: 'running' }));
    try {
      const result = await testConnection(c.id);
      setTests((t) => ({ ...t, [c.id]: result }));
    } catch (e) {
      setTests((t) => ({ ...t, [c.id]: { error: toApiError(e).message } }));
    }
  };
  const open = (next: Editing) => {
    save.reset();
    setEditing(next);
  };

  return (
    <>
      <AdminNav />
      <div className="d-flex flex-wrap align-items-center gap-2 mb-3">
        <h1 className="h3 me-auto mb-0">Connections</h1>
        <Button onClick={() => open({ mode: 'create' })}>
          <i className="bi bi-plus-lg me-1" aria-hidden="true" />
          New connection
        </Button>
      </div>
      {notice && (
        <Alert variant="success" dismissible onClose={() => setNotice(null)}>
          {notice}
        </Alert>
      )}
      <ErrorAlert error={remove.error} title="The connection could not be deleted." />
      {connections.isPending && <DelayedSpinner label="Loading connections…" />}
      <ErrorAlert error={connections.error} onRetry={() => void connections.refetch()} />
      {connections.data?.length === 0 && (
        <EmptyState icon="plug" title="No connections yet">
          Create one for each SCIM service provider your organisation uses.
        </EmptyState>
      )}
      {connections.data && connections.data.length > 0 && (
        <div className="table-responsive">
          <Table hover className="align-middle">
            <caption className="visually-hidden">SCIM service provider connections</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Provider</th>
                <th scope="col">Auth / mode</th>
                <th scope="col">Granted to</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {connections.data.map((c) => {
                const test = tests[c.id];
                return (
                  <tr key={c.id}>
                    <td>
                      <div className="fw-semibold">{c.name}</div>
                      <div className="small text-body-secondary text-break-all">{c.baseUrl}</div>
                      {test && test !== 'running' && (
                        <div className="mt-1">
                          <TestResult result={test} />
                        </div>
                      )}
                    </td>
                    <td>
                      {VENDOR_PROFILES[c.vendor as keyof typeof VENDOR_PROFILES]?.name ?? c.vendor}
                    </td>
                    <td>
                      <Badge bg="secondary" className="me-1">
                        {c.authKind}
                      </Badge>
                      <Badge bg={c.executionMode === 'relay' ? 'info' : 'light'} text="dark">
                        {c.executionMode}
                      </Badge>
                    </td>
                    <td className="small">
                      {c.grants.roles.join(', ') || '—'}
                      {c.grants.userIds.length > 0 && ` + ${c.grants.userIds.length} user(s)`}
                    </td>
                    <td className="text-end text-nowrap">
                      <Button
                        size="sm"
                        variant="outline-secondary"
                        className="me-1"
                        onClick={() => void runTest(c)}
                        aria-label={`Test ${c.name}`}
                        disabled={test === 'running'}
                      >
                        {test === 'running' ? (
                          <Spinner size="sm" animation="border" aria-hidden="true" />
                        ) : (
                          <i className="bi bi-activity" aria-hidden="true" />
                        )}{' '}
                        Test
                      </Button>
                      <Button
                        size="sm"
                        variant="outline-primary"
                        className="me-1"
                        onClick={() => open({ mode: 'edit', connection: c })}
                        aria-label={`Edit ${c.name}`}
                      >
                        <i className="bi bi-pencil" aria-hidden="true" /> Edit
                      </Button>
                      <ConfirmButton
                        size="sm"
                        title={`Delete “${c.name}”?`}
                        body="Users lose access to this provider and their linked tokens for it are removed. The audit trail keeps its history."
                        confirmLabel="Delete"
                        aria-label={`Delete ${c.name}`}
                        onConfirm={() => remove.mutateAsync(c).catch(() => undefined)}
                      >
                        <i className="bi bi-trash" aria-hidden="true" />
                      </ConfirmButton>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        </div>
      )}
      <Modal
        show={editing !== null}
        onHide={() => setEditing(null)}
        size="lg"
        aria-labelledby="conn-form-title"
        backdrop="static"
      >
        <Modal.Header closeButton>
          <Modal.Title id="conn-form-title" as="h2" className="h5">
            {editing?.mode === 'edit' ? `Edit “${editing.connection.name}”` : 'New connection'}
          </Modal.Title>
        </Modal.Header>
        {editing && (
          <ConnectionForm
            key={editing.mode === 'edit' ? editing.connection.id : 'new'}
            connection={editing.mode === 'edit' ? editing.connection : null}
            onCancel={() => setEditing(null)}
            onSubmit={(input) => save.mutate(input)}
            busy={save.isPending}
            error={save.error}
          />
        )}
      </Modal>
    </>
  );
}
