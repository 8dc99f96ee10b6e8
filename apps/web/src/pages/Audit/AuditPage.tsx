import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Alert, Button, ButtonGroup, Spinner } from 'react-bootstrap';
import { useSearchParams } from 'react-router';
import { connectionKeys, fetchConnections } from '../../api/connections';
import { exportLogsUrl, fetchLogs, logKeys, verifyLogs } from '../../api/logs';
import { fetchUsers, userKeys } from '../../api/users';
import { useSession } from '../../auth/session';
import { DelayedSpinner } from '../../components/DelayedSpinner';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { usePageTitle } from '../../components/use-page-title';
import { AuditFiltersForm } from './AuditFiltersForm';
import { AuditTable } from './AuditTable';
import { filtersFromParams } from './filters';

function VerifyChain() {
  const verify = useMutation({ mutationFn: verifyLogs });
  const result = verify.data;
  return (
    <div className="mb-3">
      <Button variant="outline-primary" onClick={() => verify.mutate()} disabled={verify.isPending}>
        {verify.isPending ? (
          <Spinner animation="border" size="sm" className="me-1" aria-hidden="true" />
        ) : (
          <i className="bi bi-link-45deg me-1" aria-hidden="true" />
        )}
        Verify chain
      </Button>
      <div aria-live="polite">
        {result?.ok === true && (
          <Alert variant="success" className="mt-2 mb-0">
            <i className="bi bi-shield-check me-1" aria-hidden="true" />
            The audit trail is intact: {result.checked} events checked, up to seq {result.lastSeq}.
          </Alert>
        )}
        {result?.ok === false && (
          <Alert variant="danger" className="mt-2 mb-0">
            <i className="bi bi-shield-exclamation me-1" aria-hidden="true" />
            The chain is broken at seq <strong>{result.brokenAt}</strong> ({result.reason}).{' '}
            {result.checked} events were checked before it. Events may have been altered or removed:
            preserve the database and investigate.
          </Alert>
        )}
        <ErrorAlert error={verify.error} className="mt-2 mb-0" />
      </div>
    </div>
  );
}

export default function AuditPage() {
  usePageTitle('Audit trail');
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromParams(params), [params]);
  const connections = useQuery({ queryKey: connectionKeys.list(), queryFn: fetchConnections });
  const users = useQuery({
    queryKey: userKeys.list(),
    queryFn: fetchUsers,
    enabled: can('admin:manage'),
  });
  const names = useMemo(
    () => new Map((connections.data ?? []).map((c) => [c.id, c.name])),
    [connections.data],
  );
  const logs = useInfiniteQuery({
    queryKey: logKeys.list(filters),
    queryFn: ({ pageParam }) => fetchLogs(filters, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const events = logs.data?.pages.flatMap((p) => p.events) ?? [];
  const apply = (next: Record<string, string>) => {
    const clean = new URLSearchParams();
    for (const [k, v] of Object.entries(next)) if (v) clean.set(k, v);
    setParams(clean);
  };

  return (
    <>
      <h1 className="h3">Audit trail</h1>
      <p className="text-body-secondary">
        Every sign-in, token change and query, chained by hash so that tampering shows. Tokens
        appear only as fingerprints.
      </p>
      <VerifyChain />
      <AuditFiltersForm
        filters={filters}
        connections={connections.data ?? []}
        users={users.data ?? null}
        onApply={apply}
      />
      <div className="d-flex flex-wrap align-items-center gap-2 mb-2">
        <span className="me-auto small text-body-secondary" aria-live="polite">
          {logs.isSuccess &&
            `${events.length} event${events.length === 1 ? '' : 's'} shown${logs.hasNextPage ? ' (more available)' : ''}`}
        </span>
        <ButtonGroup aria-label="Export the filtered events">
          <a
            className="btn btn-outline-secondary btn-sm"
            href={exportLogsUrl('csv', filters)}
            download
          >
            <i className="bi bi-filetype-csv me-1" aria-hidden="true" />
            Export CSV
          </a>
          <a
            className="btn btn-outline-secondary btn-sm"
            href={exportLogsUrl('ndjson', filters)}
            download
          >
            <i className="bi bi-filetype-json me-1" aria-hidden="true" />
            Export NDJSON
          </a>
        </ButtonGroup>
      </div>
      {logs.isPending && <DelayedSpinner label="Loading audit events…" />}
      <ErrorAlert error={logs.error} onRetry={() => void logs.refetch()} />
      {logs.isSuccess && events.length === 0 && (
        <EmptyState icon="search" title="No events match these filters" />
      )}
      {events.length > 0 && (
        <AuditTable
          events={events}
          connectionName={(id) => names.get(id) ?? id}
          onFilterUser={(userId) => apply({ ...Object.fromEntries(params), userId })}
        />
      )}
      {logs.hasNextPage && (
        <Button
          variant="outline-secondary"
          onClick={() => void logs.fetchNextPage()}
          disabled={logs.isFetchingNextPage}
        >
          {logs.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </Button>
      )}
    </>
  );
}
