import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Badge, Button, Table } from 'react-bootstrap';
import { Link, useNavigate } from 'react-router';
import { connectionKeys, fetchConnections } from '../../api/connections';
import { fetchLogs, logKeys, type AuditFilters } from '../../api/logs';
import { deleteSavedQuery, fetchSavedQueries, savedQueryKeys } from '../../api/saved-queries';
import type { AuditEvent } from '../../api/types';
import { useSession } from '../../auth/session';
import { ConfirmButton } from '../../components/ConfirmButton';
import { DelayedSpinner } from '../../components/DelayedSpinner';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatDateTime } from '../../components/token-state';
import { usePageTitle } from '../../components/use-page-title';
import { inputFromEvent, reopenUrl, savedQueryUrl } from './query-link';

const GENERATED: AuditFilters = { scope: 'own', action: 'query.generated', limit: 25 };
const OUTCOMES: AuditFilters = { scope: 'own', action: 'query.outcome', limit: 100 };

function OutcomeBadge({ outcome }: { outcome: AuditEvent['outcome'] | undefined }) {
  if (!outcome) return <span className="text-body-secondary">not run</span>;
  const ok = outcome.status >= 200 && outcome.status < 300;
  return (
    <span>
      <Badge bg={ok ? 'success' : 'danger'}>
        {outcome.status === 0 ? 'network' : outcome.status}
      </Badge>{' '}
      {ok ? (
        <span>
          {outcome.resultCount ?? 0} results
          {outcome.durationMs !== null && (
            <span className="text-body-secondary"> · {outcome.durationMs} ms</span>
          )}
        </span>
      ) : (
        <span className="text-danger-emphasis">{outcome.error?.message ?? 'failed'}</span>
      )}
    </span>
  );
}

function RecentQueries() {
  const { can } = useSession();
  const navigate = useNavigate();
  const connections = useQuery({ queryKey: connectionKeys.list(), queryFn: fetchConnections });
  const names = useMemo(
    () => new Map((connections.data ?? []).map((c) => [c.id, c.name])),
    [connections.data],
  );
  const generated = useInfiniteQuery({
    queryKey: logKeys.list(GENERATED),
    queryFn: ({ pageParam }) => fetchLogs(GENERATED, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  // Outcomes are separate events joined by queryId.
  const outcomes = useQuery({
    queryKey: logKeys.list(OUTCOMES),
    queryFn: () => fetchLogs(OUTCOMES),
  });
  const outcomeOf = useMemo(() => {
    const map = new Map<string, AuditEvent['outcome']>();
    for (const e of outcomes.data?.events ?? [])
      if (e.queryId && e.outcome) map.set(e.queryId, e.outcome);
    return map;
  }, [outcomes.data]);
  const events = generated.data?.pages.flatMap((p) => p.events) ?? [];

  return (
    <section aria-labelledby="recent-title" className="mb-4">
      <h2 id="recent-title" className="h4">
        Recent queries
      </h2>
      {generated.isPending && <DelayedSpinner label="Loading your recent queries…" />}
      <ErrorAlert error={generated.error} onRetry={() => void generated.refetch()} />
      {generated.isSuccess && events.length === 0 && (
        <EmptyState icon="clock-history" title="No queries yet">
          Queries you run appear here. <Link to="/">Build a query</Link>.
        </EmptyState>
      )}
      {events.length > 0 && (
        <div className="table-responsive">
          <Table hover size="sm" className="align-middle">
            <caption className="visually-hidden">Your recent queries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Connection</th>
                <th scope="col">Request</th>
                <th scope="col">Outcome</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => {
                const input = can('query:run')
                  ? inputFromEvent(event, can('query:free-filter'))
                  : null;
                return (
                  <tr key={event.seq}>
                    <td className="text-nowrap">{formatDateTime(event.at)}</td>
                    <td>
                      {event.connectionId
                        ? (names.get(event.connectionId) ?? event.connectionId)
                        : '—'}
                    </td>
                    <td className="text-break-all">
                      <code>
                        {event.request?.method} {event.request?.path}
                      </code>
                      {event.request?.filter && (
                        <div className="small font-monospace text-body-secondary">
                          {event.request.filter}
                        </div>
                      )}
                    </td>
                    <td>
                      <OutcomeBadge
                        outcome={event.queryId ? outcomeOf.get(event.queryId) : undefined}
                      />
                    </td>
                    <td className="text-end">
                      {input && (
                        <Button
                          size="sm"
                          variant="outline-primary"
                          onClick={() => navigate(reopenUrl(input))}
                        >
                          <i className="bi bi-box-arrow-up-left me-1" aria-hidden="true" />
                          Re-open
                        </Button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        </div>
      )}
      {generated.hasNextPage && (
        <Button
          variant="outline-secondary"
          onClick={() => void generated.fetchNextPage()}
          disabled={generated.isFetchingNextPage}
        >
          {generated.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </Button>
      )}
    </section>
  );
}

function SavedQueries() {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const saved = useQuery({ queryKey: savedQueryKeys.list(), queryFn: fetchSavedQueries });
  const remove = useMutation({
    mutationFn: deleteSavedQuery,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: savedQueryKeys.all }),
  });
  return (
    <section aria-labelledby="saved-title">
      <h2 id="saved-title" className="h4">
        Saved queries
      </h2>
      {saved.isPending && <DelayedSpinner label="Loading saved queries…" />}
      <ErrorAlert
        error={saved.error ?? remove.error}
        onRetry={saved.error ? () => void saved.refetch() : undefined}
      />
      {saved.data && saved.data.length === 0 && (
        <EmptyState icon="bookmark" title="No saved queries">
          Use “Save” on the Query page to keep a query under a name.
        </EmptyState>
      )}
      {saved.data && saved.data.length > 0 && (
        <ul className="list-group">
          {saved.data.map((q) => (
            <li key={q.id} className="list-group-item d-flex flex-wrap align-items-center gap-2">
              <div className="me-auto">
                <div className="fw-semibold">{q.name}</div>
                <div className="small text-body-secondary">
                  {String(q.input.resourceType ?? '')} · saved {formatDateTime(q.createdAt)}
                  {typeof q.input.filter === 'string' && (
                    <span className="font-monospace text-break-all"> · {q.input.filter}</span>
                  )}
                </div>
              </div>
              {can('query:run') && (
                <Link
                  className="btn btn-sm btn-outline-primary"
                  to={savedQueryUrl(q.id)}
                  aria-label={`Open ${q.name}`}
                >
                  Open
                </Link>
              )}
              <ConfirmButton
                size="sm"
                title={`Delete “${q.name}”?`}
                body="The saved query is removed for good. Its past runs stay in your history."
                confirmLabel="Delete"
                aria-label={`Delete ${q.name}`}
                onConfirm={() => remove.mutateAsync(q.id).catch(() => undefined)}
              >
                <i className="bi bi-trash" aria-hidden="true" />
              </ConfirmButton>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export default function HistoryPage() {
  usePageTitle('History');
  return (
    <>
      <h1 className="h3">History</h1>
      <RecentQueries />
      <SavedQueries />
    </>
  );
}
