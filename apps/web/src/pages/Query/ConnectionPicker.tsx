// Connection and resource type pickers; the connection list shows each token's state.
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Col, Form, Row } from 'react-bootstrap';
import { Link } from 'react-router';
import { connectionKeys, fetchConnections } from '../../api/connections';
import type { QueryOptions } from '../../api/query-options';
import { TokenBadge } from '../../components/TokenBadge';
import { useAllTokenStatuses } from '../../token-store/use-token-status';

export function ConnectionPicker({
  connectionId,
  resourceType,
  options,
  onConnection,
  onDefaultConnection,
  onResourceType,
}: {
  connectionId: string | null;
  resourceType: string | null;
  options: QueryOptions | undefined;
  onConnection: (id: string) => void;
  /** Chooses a connection only if none is chosen yet (a link may be filling the form). */
  onDefaultConnection: (id: string) => void;
  onResourceType: (id: string) => void;
}) {
  const connections = useQuery({ queryKey: connectionKeys.list(), queryFn: fetchConnections });
  const tokens = useAllTokenStatuses();
  const list = connections.data ?? [];
  const current = list.find((c) => c.id === connectionId);
  const first = list[0]?.id;
  // Most people have one connection: choose it for them.
  useEffect(() => {
    if (!connectionId && first) onDefaultConnection(first);
  }, [connectionId, first, onDefaultConnection]);

  return (
    <Row className="g-2 align-items-end">
      <Col xs={12} md={5}>
        <Form.Label htmlFor="query-connection">Connection</Form.Label>
        <Form.Select
          id="query-connection"
          value={connectionId ?? ''}
          onChange={(e) => onConnection(e.target.value)}
          disabled={connections.isLoading}
        >
          {!connectionId && (
            <option value="">
              {connections.isLoading ? 'Loading connections…' : 'Choose a connection…'}
            </option>
          )}
          {list.map((c) => {
            const state = tokens.get(c.id)?.state;
            return (
              <option key={c.id} value={c.id}>
                {c.name}
                {state ? ` — token ${state}` : ''}
                {c.executionMode === 'relay' ? ' (relay)' : ''}
              </option>
            );
          })}
        </Form.Select>
        {connections.isSuccess && list.length === 0 && (
          <Form.Text>No connection is shared with you yet. Ask an administrator.</Form.Text>
        )}
      </Col>
      <Col xs={12} md={4}>
        <Form.Label htmlFor="query-resource-type">Resource type</Form.Label>
        <Form.Select
          id="query-resource-type"
          value={resourceType ?? ''}
          onChange={(e) => onResourceType(e.target.value)}
          disabled={!options}
        >
          {!options && <option value="">{connectionId ? 'Loading…' : '—'}</option>}
          {options?.resourceTypes.map((rt) => (
            <option key={rt.id} value={rt.id}>
              {rt.name} ({rt.endpoint})
            </option>
          ))}
        </Form.Select>
      </Col>
      <Col xs="auto" className="pb-1">
        {current && (
          <TokenBadge name={current.name} connectionId={current.id} info={tokens.get(current.id)} />
        )}
        {current &&
          ['missing', 'revoked', 'invalid', 'expired'].includes(
            tokens.get(current.id)?.state ?? '',
          ) && (
            <div className="small">
              <Link to="/tokens">Link your token</Link> to run queries.
            </div>
          )}
      </Col>
    </Row>
  );
}
