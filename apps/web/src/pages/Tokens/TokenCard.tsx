import { useState } from 'react';
import { Alert, Badge, Button, Card, Spinner } from 'react-bootstrap';
import { toApiError } from '../../api/http';
import { oauthStartUrl, unlinkToken } from '../../api/token';
import type { Connection, TokenStatus } from '../../api/types';
import { ConfirmButton } from '../../components/ConfirmButton';
import { formatDateTime, formatRelative, TOKEN_STATE_LOOK } from '../../components/token-state';
import { forgetToken, getToken, refreshToken, setTokenStatus } from '../../token-store/token-store';
import { useTokenStatus } from '../../token-store/use-token-status';
import { LinkTokenForm } from './LinkTokenForm';

const KIND_LABEL: Record<Connection['authKind'], string> = {
  static: 'Personal API token',
  oauth2: 'OAuth 2.0 (authorization code)',
  login: 'Token from single sign-on',
};

export function TokenCard({
  connection,
  status,
  onChanged,
}: {
  connection: Connection;
  status: TokenStatus | undefined;
  onChanged: () => void;
}) {
  const info = useTokenStatus(connection.id);
  const state = info?.state ?? status?.state ?? 'missing';
  const look = TOKEN_STATE_LOOK[state];
  const details = info?.status ?? status;
  const [busy, setBusy] = useState<'refresh' | null>(null);
  const [message, setMessage] = useState<{ variant: 'success' | 'danger'; text: string } | null>(
    null,
  );
  const linked = state !== 'missing';
  const titleId = `token-${connection.id}-title`;

  const refresh = async () => {
    setBusy('refresh');
    setMessage(null);
    try {
      const token = await refreshToken(connection.id);
      setMessage({
        variant: 'success',
        text: token.expiresAt
          ? `Token refreshed; it expires ${formatRelative(token.expiresAt)}.`
          : 'Token refreshed.',
      });
    } catch (e) {
      const error = toApiError(e);
      setMessage({
        variant: 'danger',
        text: error.message, // a revoked token also gets the reconnect guidance below
      });
    } finally {
      setBusy(null);
      onChanged();
    }
  };

  const unlink = async () => {
    setMessage(null);
    try {
      await unlinkToken(connection.id);
      forgetToken(connection.id);
      setMessage({ variant: 'success', text: 'Token unlinked.' });
    } catch (e) {
      setMessage({ variant: 'danger', text: toApiError(e).message });
    } finally {
      onChanged();
    }
  };

  const linkedNow = (next: TokenStatus) => {
    forgetToken(connection.id);
    setTokenStatus(next);
    setMessage(
      next.state === 'valid' || next.state === 'expiring'
        ? { variant: 'success', text: 'Token linked and verified with the provider.' }
        : { variant: 'danger', text: next.message ?? `The token is ${next.state}.` },
    );
    if (next.state === 'valid' || next.state === 'expiring')
      void getToken(connection.id).catch(() => undefined);
    onChanged();
  };

  const oauthButton = (label: string) => (
    <a className="btn btn-primary" href={oauthStartUrl(connection.id, '/tokens')}>
      <i className="bi bi-box-arrow-up-right me-1" aria-hidden="true" />
      {label}
    </a>
  );

  return (
    <Card as="section" aria-labelledby={titleId} className="h-100">
      <Card.Header className="d-flex flex-wrap align-items-center gap-2">
        <h2 id={titleId} className="h5 mb-0 me-auto">
          {connection.name}
        </h2>
        <Badge
          bg={look.bg}
          text={look.bg === 'warning' ? 'dark' : undefined}
          data-testid="token-state"
        >
          <i className={`bi bi-${look.icon} me-1`} aria-hidden="true" />
          {look.label}
        </Badge>
      </Card.Header>
      <Card.Body>
        <p className="small text-body-secondary text-break-all mb-2">
          {KIND_LABEL[connection.authKind]} · {connection.baseUrl}
        </p>
        {message && (
          <Alert
            variant={message.variant}
            dismissible
            onClose={() => setMessage(null)}
            className="py-2"
          >
            {message.text}
          </Alert>
        )}
        {(state === 'revoked' || state === 'invalid') && (
          <Alert variant="warning" className="py-2">
            <strong>Reconnect needed.</strong>{' '}
            {state === 'revoked'
              ? 'The provider revoked this token (or its refresh token), so queries cannot run.'
              : 'The provider no longer accepts this token.'}{' '}
            {connection.authKind === 'oauth2'
              ? 'Use "Connect with OAuth" to grant access again.'
              : connection.authKind === 'login'
                ? 'Sign out and sign in again with single sign-on.'
                : 'Create a new token in the provider’s admin console and paste it below.'}
            {(details?.message ?? info?.message) && (
              <div className="small mt-1">Provider said: {details?.message ?? info?.message}</div>
            )}
          </Alert>
        )}
        {linked && details && (
          <dl className="row small mb-2">
            <dt className="col-sm-4">Expires</dt>
            <dd className="col-sm-8">
              {details.expiresAt ? (
                <>
                  {formatDateTime(details.expiresAt)}{' '}
                  <span className="text-body-secondary">({formatRelative(details.expiresAt)})</span>
                </>
              ) : (
                'No expiry reported'
              )}
            </dd>
            <dt className="col-sm-4">Scopes</dt>
            <dd className="col-sm-8">{details.scopes.length ? details.scopes.join(' ') : '—'}</dd>
            <dt className="col-sm-4">Subject</dt>
            <dd className="col-sm-8">{details.subject?.userName ?? details.subject?.id ?? '—'}</dd>
            <dt className="col-sm-4">Fingerprint</dt>
            <dd className="col-sm-8 font-monospace text-break-all">{details.fingerprint ?? '—'}</dd>
            <dt className="col-sm-4">Last refresh</dt>
            <dd className="col-sm-8">{formatDateTime(details.lastRefreshAt)}</dd>
            <dt className="col-sm-4">Last verified</dt>
            <dd className="col-sm-8">{formatDateTime(details.lastVerifiedAt)}</dd>
          </dl>
        )}
        {!linked && (
          <p className="mb-2">
            No token linked yet: queries on this connection need one.{' '}
            {connection.authKind === 'login' &&
              'It is obtained when you sign in with single sign-on.'}
          </p>
        )}
        <div className="d-flex flex-wrap gap-2">
          {connection.authKind === 'oauth2' &&
            oauthButton(
              linked && state !== 'revoked' && state !== 'invalid'
                ? 'Reconnect with OAuth'
                : 'Connect with OAuth',
            )}
          {linked && connection.authKind !== 'static' && state !== 'revoked' && (
            <Button
              variant="outline-primary"
              onClick={() => void refresh()}
              disabled={busy !== null}
            >
              {busy === 'refresh' ? (
                <Spinner animation="border" size="sm" className="me-1" aria-hidden="true" />
              ) : (
                <i className="bi bi-arrow-clockwise me-1" aria-hidden="true" />
              )}
              Refresh
            </Button>
          )}
          {linked && (
            <ConfirmButton
              title={`Unlink your token for ${connection.name}?`}
              body="Queries on this connection will stop working until you link a token again. Where the provider supports it, the token is revoked there too."
              confirmLabel="Unlink"
              onConfirm={unlink}
            >
              <i className="bi bi-x-circle me-1" aria-hidden="true" />
              Unlink
            </ConfirmButton>
          )}
        </div>
        {connection.authKind === 'static' && (
          <LinkTokenForm
            connectionId={connection.id}
            connectionName={connection.name}
            relink={linked}
            onLinked={linkedNow}
          />
        )}
      </Card.Body>
    </Card>
  );
}
