import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { Alert, Col, Row } from 'react-bootstrap';
import { useSearchParams } from 'react-router';
import { connectionKeys, fetchConnections } from '../../api/connections';
import { fetchTokenStatuses, tokenKeys } from '../../api/token';
import { DelayedSpinner } from '../../components/DelayedSpinner';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { usePageTitle } from '../../components/use-page-title';
import { setTokenStatus } from '../../token-store/token-store';
import { TokenCard } from './TokenCard';

/** Messages for `?tokenError=CODE` set by the OAuth callback. */
const OAUTH_ERRORS: Record<string, string> = {
  FORBIDDEN:
    'Access was declined at the provider, or the flow was started from another session. Nothing was linked; start again.',
  VALIDATION_FAILED: 'The OAuth link expired or was already used. Nothing was linked; start again.',
  UNAUTHENTICATED: 'Your session ended during the OAuth flow. Sign in and connect again.',
  TOKEN_INVALID:
    'The provider returned a token that does not work for SCIM. Ask your administrator to check the scopes.',
  PROVIDER_UNREACHABLE: 'The provider could not be reached to finish the OAuth flow. Try again.',
  PROVIDER_ERROR: 'The provider refused the OAuth exchange. Try again, or ask your administrator.',
  URL_NOT_ALLOWED:
    'The provider’s endpoints are not allowed by this connection’s settings. Ask your administrator.',
};

export default function TokensPage() {
  usePageTitle('Tokens');
  const [params, setParams] = useSearchParams();
  const connections = useQuery({ queryKey: connectionKeys.list(), queryFn: fetchConnections });
  // Always ask the server on arrival: users come here because a token just stopped working
  // (expired, revoked), and the statuses cached at sign-in would show the old state.
  const statuses = useQuery({
    queryKey: tokenKeys.statuses(),
    queryFn: fetchTokenStatuses,
    refetchOnMount: 'always',
  });

  // The server's view feeds the header's badges too.
  useEffect(() => {
    for (const status of statuses.data ?? []) setTokenStatus(status);
  }, [statuses.data]);

  const byId = useMemo(
    () => new Map((statuses.data ?? []).map((s) => [s.connectionId, s])),
    [statuses.data],
  );
  const linkedId = params.get('tokenLinked');
  const tokenError = params.get('tokenError');
  const linkedName = connections.data?.find((c) => c.id === linkedId)?.name ?? linkedId;
  const dismiss = () => {
    const next = new URLSearchParams(params);
    next.delete('tokenLinked');
    next.delete('tokenError');
    setParams(next, { replace: true });
  };

  return (
    <>
      <h1 className="h3">Your SCIM tokens</h1>
      <p className="text-body-secondary">
        Queries run with your own token for each connection. Tokens stay on the server (encrypted)
        and in this tab’s memory only; reloading the page fetches them again.
      </p>
      {linkedId && (
        <Alert variant="success" dismissible onClose={dismiss}>
          Connected: your token for <strong>{linkedName}</strong> is linked.
        </Alert>
      )}
      {tokenError && (
        <Alert variant="danger" dismissible onClose={dismiss}>
          {OAUTH_ERRORS[tokenError] ?? `Connecting with OAuth failed (${tokenError}).`}
        </Alert>
      )}
      {(connections.isPending || statuses.isPending) && (
        <DelayedSpinner label="Loading your tokens…" />
      )}
      <ErrorAlert
        error={connections.error ?? statuses.error}
        onRetry={() => {
          void connections.refetch();
          void statuses.refetch();
        }}
      />
      {connections.data && connections.data.length === 0 && (
        <EmptyState icon="plug" title="No connections are available to you">
          An administrator must create a connection and grant it to your role or account.
        </EmptyState>
      )}
      {connections.data && statuses.data && (
        <Row xs={1} lg={2} className="g-3">
          {connections.data.map((connection) => (
            <Col key={connection.id}>
              <TokenCard
                connection={connection}
                status={byId.get(connection.id)}
                onChanged={() => void statuses.refetch()}
              />
            </Col>
          ))}
        </Row>
      )}
    </>
  );
}
