import { Fragment, useState } from 'react';
import { Badge, Button, Table } from 'react-bootstrap';
import type { AuditEvent } from '../../api/types';
import { formatDateTime } from '../../components/token-state';

function isFailure(event: AuditEvent): boolean {
  if (event.result) return event.result === 'failure';
  return event.outcome !== null && (event.outcome.status === 0 || event.outcome.status >= 400);
}

/** One line of an event's metadata ("name: Okta · authKind: static"); the full JSON is in the details row. */
function summarise(details: Record<string, unknown>): string {
  return Object.entries(details)
    .filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object')
    .slice(0, 4)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(' · ');
}

export function AuditTable({
  events,
  connectionName,
  onFilterUser,
}: {
  events: AuditEvent[];
  connectionName: (id: string) => string;
  onFilterUser: (userId: string) => void;
}) {
  const [open, setOpen] = useState<number | null>(null);
  return (
    <div className="table-responsive">
      <Table hover size="sm" className="align-middle">
        <caption className="visually-hidden">Audit events, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Seq</th>
            <th scope="col">When</th>
            <th scope="col">User</th>
            <th scope="col">Action</th>
            <th scope="col">Connection</th>
            <th scope="col">Request / outcome</th>
            <th scope="col">
              <span className="visually-hidden">Details</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => {
            const failed = isFailure(event);
            const detailsId = `audit-event-${event.seq}`;
            return (
              <Fragment key={event.seq}>
                <tr>
                  <td className="font-monospace">{event.seq}</td>
                  <td className="text-nowrap">{formatDateTime(event.at)}</td>
                  <td>
                    {event.actor ? (
                      <Button
                        variant="link"
                        size="sm"
                        className="p-0 align-baseline"
                        title={`Show only ${event.actor.username}`}
                        onClick={() => onFilterUser(event.actor!.id)}
                      >
                        {event.actor.username}
                      </Button>
                    ) : (
                      <span className="text-body-secondary">system</span>
                    )}
                  </td>
                  <td>
                    <Badge
                      bg={failed ? 'danger' : 'secondary'}
                      className="font-monospace fw-normal"
                    >
                      {event.action}
                    </Badge>
                  </td>
                  <td>{event.connectionId ? connectionName(event.connectionId) : '—'}</td>
                  <td className="text-break-all small">
                    {event.request && (
                      <code>
                        {event.request.method} {event.request.path}
                      </code>
                    )}
                    {event.request?.filter && (
                      <div className="font-monospace">{event.request.filter}</div>
                    )}
                    {!event.request && event.details && (
                      <div className="text-body-secondary">{summarise(event.details)}</div>
                    )}
                    {event.outcome && (
                      <div>
                        HTTP {event.outcome.status}
                        {event.outcome.resultCount !== null &&
                          ` · ${event.outcome.resultCount} results`}
                        {event.outcome.durationMs !== null && ` · ${event.outcome.durationMs} ms`}
                        {event.outcome.error && (
                          <span className="text-danger-emphasis">
                            {' '}
                            · {event.outcome.error.message}
                          </span>
                        )}
                      </div>
                    )}
                  </td>
                  <td className="text-end">
                    <Button
                      variant="outline-secondary"
                      size="sm"
                      aria-expanded={open === event.seq}
                      aria-controls={detailsId}
                      onClick={() => setOpen(open === event.seq ? null : event.seq)}
                    >
                      <i
                        className={`bi bi-chevron-${open === event.seq ? 'up' : 'down'}`}
                        aria-hidden="true"
                      />
                      <span className="visually-hidden">Details of event {event.seq}</span>
                    </Button>
                  </td>
                </tr>
                {open === event.seq && (
                  <tr id={detailsId}>
                    <td colSpan={7}>
                      <dl className="row small mb-2">
                        <dt className="col-sm-2">Token</dt>
                        <dd className="col-sm-10 font-monospace text-break-all">
                          {event.token
                            ? `${event.token.fingerprint} (v${event.token.version ?? '?'})`
                            : '—'}
                        </dd>
                        <dt className="col-sm-2">IP / agent</dt>
                        <dd className="col-sm-10 text-break-all">
                          {event.ip ?? '—'} · {event.userAgent ?? '—'}
                        </dd>
                        <dt className="col-sm-2">Request id</dt>
                        <dd className="col-sm-10 font-monospace">{event.requestId ?? '—'}</dd>
                        <dt className="col-sm-2">Hash</dt>
                        <dd className="col-sm-10 font-monospace text-break-all">{event.hash}</dd>
                      </dl>
                      <pre
                        className="small bg-body-tertiary border rounded p-2 mb-0"
                        style={{ maxHeight: 320 }}
                      >
                        {JSON.stringify(event, null, 2)}
                      </pre>
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </Table>
    </div>
  );
}
