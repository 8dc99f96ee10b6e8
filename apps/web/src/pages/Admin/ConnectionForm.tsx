import { VENDOR_PROFILES } from '@scim-console/scim';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Alert, Button, Col, Form, Modal, Row, Spinner } from 'react-bootstrap';
import { fetchUsers, userKeys } from '../../api/users';
import {
  ROLES,
  type AuthKind,
  type Connection,
  type ConnectionInput,
  type ExecutionMode,
  type Role,
} from '../../api/types';
import { ErrorAlert } from '../../components/ErrorAlert';
import { fieldErrors } from '../../components/field-errors';

interface Draft {
  name: string;
  baseUrl: string;
  vendor: string;
  authKind: AuthKind;
  executionMode: ExecutionMode;
  allowPrivateNetwork: boolean;
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  revocationEndpoint: string;
  clientId: string;
  clientSecret: string;
  hasClientSecret: boolean;
  scopes: string;
  roles: Role[];
  userIds: string[];
}

function draftOf(c: Connection | null): Draft {
  return {
    name: c?.name ?? '',
    baseUrl: c?.baseUrl ?? 'https://',
    vendor: c?.vendor ?? 'generic',
    authKind: c?.authKind ?? 'static',
    executionMode: c?.executionMode ?? 'direct',
    allowPrivateNetwork: c?.allowPrivateNetwork ?? false,
    issuer: c?.oauth?.issuer ?? '',
    authorizationEndpoint: c?.oauth?.authorizationEndpoint ?? '',
    tokenEndpoint: c?.oauth?.tokenEndpoint ?? '',
    revocationEndpoint: c?.oauth?.revocationEndpoint ?? '',
    clientId: c?.oauth?.clientId ?? '',
    clientSecret: '',
    hasClientSecret: c?.oauth?.hasClientSecret ?? false,
    scopes: c?.oauth?.scopes.join(' ') ?? '',
    roles: c?.grants.roles ?? ['operator', 'viewer'],
    userIds: c?.grants.userIds ?? [],
  };
}

/** The body for POST/PATCH; the client secret is sent only when one was typed. */
export function inputOf(d: Draft): ConnectionInput {
  const opt = (v: string) => (v.trim() ? v.trim() : undefined);
  return {
    name: d.name.trim(),
    baseUrl: d.baseUrl.trim(),
    vendor: d.vendor,
    authKind: d.authKind,
    executionMode: d.executionMode,
    allowPrivateNetwork: d.allowPrivateNetwork,
    oauth:
      d.authKind === 'oauth2'
        ? {
            issuer: opt(d.issuer),
            authorizationEndpoint: opt(d.authorizationEndpoint),
            tokenEndpoint: opt(d.tokenEndpoint),
            revocationEndpoint: opt(d.revocationEndpoint),
            clientId: d.clientId.trim(),
            scopes: d.scopes.split(/\s+/).filter(Boolean),
            ...(d.clientSecret ? { clientSecret: d.clientSecret } : {}),
          }
        : null,
    grants: { roles: d.roles, userIds: d.userIds },
  };
}

/** What the browser can check before asking the server (which checks everything again). */
function localErrors(d: Draft): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!d.name.trim()) errors.name = 'is required';
  try {
    const url = new URL(d.baseUrl.trim());
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      errors.baseUrl = 'must be an http(s) URL';
  } catch {
    errors.baseUrl = 'must be an absolute URL such as https://example.com/scim/v2';
  }
  if (d.authKind === 'oauth2') {
    if (!d.clientId.trim()) errors['oauth.clientId'] = 'is required';
    if (!d.issuer.trim() && !(d.authorizationEndpoint.trim() && d.tokenEndpoint.trim())) {
      errors['oauth.issuer'] =
        'give the issuer (discovery) or both the authorization and token endpoints';
    }
  }
  return errors;
}

const AUTH_KIND_HELP: Record<AuthKind, string> = {
  static: 'Each user pastes a personal API token (for example an Okta API token).',
  oauth2:
    'Each user connects through OAuth 2.0 (authorization code + PKCE); refresh tokens keep it alive.',
  login: 'The access token from single sign-on already carries the SCIM scopes.',
};

export function ConnectionForm({
  connection,
  onCancel,
  onSubmit,
  busy,
  error,
}: {
  connection: Connection | null;
  onCancel: () => void;
  onSubmit: (input: ConnectionInput) => void;
  busy: boolean;
  error: unknown;
}) {
  const [d, setD] = useState<Draft>(() => draftOf(connection));
  const [touched, setTouched] = useState(false);
  const users = useQuery({ queryKey: userKeys.list(), queryFn: fetchUsers });
  const local = touched ? localErrors(d) : {};
  const server = fieldErrors(error);
  const errors = { ...server, ...local };
  const vendor = VENDOR_PROFILES[d.vendor as keyof typeof VENDOR_PROFILES];
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) =>
    setD((prev) => ({ ...prev, [key]: value }));
  const text = (key: keyof Draft) => ({
    value: d[key] as string,
    onChange: (e: { target: { value: string } }) => set(key, e.target.value as never),
  });
  const invalid = (field: string) => ({
    isInvalid: errors[field] !== undefined,
    'aria-invalid': errors[field] !== undefined ? true : undefined,
    'aria-describedby':
      errors[field] !== undefined ? `conn-${field.replace('.', '-')}-error` : undefined,
  });
  const feedback = (field: string, label: string) =>
    errors[field] !== undefined ? (
      <Form.Control.Feedback type="invalid" id={`conn-${field.replace('.', '-')}-error`}>
        {label} {errors[field]}
      </Form.Control.Feedback>
    ) : null;
  const unmatchedServerErrors = Object.keys(server).filter(
    (k) =>
      ![
        'name',
        'baseUrl',
        'vendor',
        'oauth.clientId',
        'oauth.issuer',
        'oauth.authorizationEndpoint',
        'oauth.tokenEndpoint',
        'oauth.revocationEndpoint',
        'oauth.scopes',
        'oauth.clientSecret',
        'grants.roles',
        'grants.userIds',
      ].includes(k),
  );

  // After a refused submit, take the user to the first field at fault (it may be far above
  // the button in this long form, especially on a phone).
  const form = useRef<HTMLFormElement>(null);
  const [focusRequest, setFocusRequest] = useState(0);
  useEffect(() => {
    if (focusRequest > 0) form.current?.querySelector<HTMLElement>('.is-invalid')?.focus();
  }, [focusRequest, error]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    setFocusRequest((n) => n + 1);
    if (Object.keys(localErrors(d)).length > 0) return;
    onSubmit(inputOf(d));
  };

  return (
    <Form onSubmit={submit} noValidate ref={form}>
      <Modal.Body>
        {error !== null &&
          error !== undefined &&
          (Object.keys(server).length === 0 || unmatchedServerErrors.length > 0) && (
            <ErrorAlert error={error} />
          )}
        <Row className="g-3">
          <Col md={6}>
            <Form.Group controlId="conn-name">
              <Form.Label>Name</Form.Label>
              <Form.Control {...text('name')} {...invalid('name')} required maxLength={100} />
              {feedback('name', 'Name')}
            </Form.Group>
          </Col>
          <Col md={6}>
            <Form.Group controlId="conn-vendor">
              <Form.Label>Provider (vendor profile)</Form.Label>
              <Form.Select {...text('vendor')} {...invalid('vendor')}>
                {Object.values(VENDOR_PROFILES).map((v) => (
                  <option key={v.id} value={v.id}>
                    {v.name}
                  </option>
                ))}
              </Form.Select>
              {feedback('vendor', 'Vendor')}
            </Form.Group>
          </Col>
          {vendor && vendor.notes.length > 0 && (
            <Col xs={12}>
              <Alert variant="secondary" className="small py-2 mb-0">
                <strong>{vendor.name}:</strong> {vendor.notes.join(' ')}
              </Alert>
            </Col>
          )}
          <Col xs={12}>
            <Form.Group controlId="conn-baseUrl">
              <Form.Label>SCIM base URL</Form.Label>
              <Form.Control
                type="url"
                {...text('baseUrl')}
                {...invalid('baseUrl')}
                required
                placeholder="https://example.com/scim/v2"
              />
              {feedback('baseUrl', 'Base URL')}
              <Form.Text>
                The service provider’s SCIM 2.0 root; paths like /Users are added to it.
              </Form.Text>
            </Form.Group>
          </Col>
          <Col xs={12}>
            <Form.Check
              type="switch"
              id="conn-private"
              label="Allow private network addresses (loopback, 10.x, 192.168.x …)"
              checked={d.allowPrivateNetwork}
              onChange={(e) => set('allowPrivateNetwork', e.target.checked)}
            />
            <Form.Text>
              Off by default so that the server cannot be used to reach internal systems (SSRF).
              Turn on only for a provider that really runs inside your network, such as the local
              sandbox.
            </Form.Text>
          </Col>
        </Row>

        <fieldset className="mt-4">
          <legend className="h6">How users authenticate</legend>
          {(['static', 'oauth2', 'login'] as const).map((kind) => (
            <Form.Check
              key={kind}
              type="radio"
              name="authKind"
              id={`conn-auth-${kind}`}
              label={
                <>
                  <strong>
                    {kind === 'static'
                      ? 'Personal token'
                      : kind === 'oauth2'
                        ? 'OAuth 2.0'
                        : 'Single sign-on token'}
                  </strong>{' '}
                  — {AUTH_KIND_HELP[kind]}
                </>
              }
              checked={d.authKind === kind}
              onChange={() => set('authKind', kind)}
            />
          ))}
        </fieldset>

        {d.authKind === 'oauth2' && (
          <fieldset className="mt-3 border rounded p-3">
            <legend className="h6 float-none w-auto px-1 mb-0">OAuth 2.0 client</legend>
            <Row className="g-3">
              <Col md={6}>
                <Form.Group controlId="conn-issuer">
                  <Form.Label>Issuer (discovery)</Form.Label>
                  <Form.Control
                    type="url"
                    {...text('issuer')}
                    {...invalid('oauth.issuer')}
                    placeholder="https://idp.example.com"
                  />
                  {feedback('oauth.issuer', 'Issuer')}
                </Form.Group>
              </Col>
              <Col md={6}>
                <Form.Group controlId="conn-clientId">
                  <Form.Label>Client ID</Form.Label>
                  <Form.Control
                    {...text('clientId')}
                    {...invalid('oauth.clientId')}
                    autoComplete="off"
                  />
                  {feedback('oauth.clientId', 'Client ID')}
                </Form.Group>
              </Col>
              <Col md={6}>
                <Form.Group controlId="conn-authz">
                  <Form.Label>Authorization endpoint</Form.Label>
                  <Form.Control
                    type="url"
                    {...text('authorizationEndpoint')}
                    {...invalid('oauth.authorizationEndpoint')}
                  />
                  {feedback('oauth.authorizationEndpoint', 'Authorization endpoint')}
                </Form.Group>
              </Col>
              <Col md={6}>
                <Form.Group controlId="conn-token">
                  <Form.Label>Token endpoint</Form.Label>
                  <Form.Control
                    type="url"
                    {...text('tokenEndpoint')}
                    {...invalid('oauth.tokenEndpoint')}
                  />
                  {feedback('oauth.tokenEndpoint', 'Token endpoint')}
                </Form.Group>
              </Col>
              <Col md={6}>
                <Form.Group controlId="conn-revocation">
                  <Form.Label>Revocation endpoint (optional)</Form.Label>
                  <Form.Control
                    type="url"
                    {...text('revocationEndpoint')}
                    {...invalid('oauth.revocationEndpoint')}
                  />
                  {feedback('oauth.revocationEndpoint', 'Revocation endpoint')}
                </Form.Group>
              </Col>
              <Col md={6}>
                <Form.Group controlId="conn-secret">
                  <Form.Label>Client secret</Form.Label>
                  <Form.Control
                    type="password"
                    autoComplete="new-password"
                    {...text('clientSecret')}
                    {...invalid('oauth.clientSecret')}
                    placeholder={
                      d.hasClientSecret
                        ? 'Stored — leave blank to keep'
                        : 'None (public client with PKCE)'
                    }
                  />
                  {feedback('oauth.clientSecret', 'Client secret')}
                  <Form.Text>Write-only: stored encrypted and never shown again.</Form.Text>
                </Form.Group>
              </Col>
              <Col xs={12}>
                <Form.Group controlId="conn-scopes">
                  <Form.Label>Scopes</Form.Label>
                  <Form.Control
                    {...text('scopes')}
                    {...invalid('oauth.scopes')}
                    placeholder="scim.read offline_access"
                  />
                  {feedback('oauth.scopes', 'Scopes')}
                  <Form.Text>
                    Separated by spaces. Include the scope that issues refresh tokens if the
                    provider needs one.
                  </Form.Text>
                </Form.Group>
              </Col>
            </Row>
          </fieldset>
        )}

        <fieldset className="mt-4">
          <legend className="h6">Where queries run</legend>
          <Form.Check
            type="radio"
            name="executionMode"
            id="conn-mode-direct"
            checked={d.executionMode === 'direct'}
            onChange={() => set('executionMode', 'direct')}
            label={
              <>
                <strong>Direct</strong> — the browser calls the SCIM API itself with the user’s
                token. The console server never sees the results, but the provider must allow this
                site through CORS, and the token is present in the browser’s memory while the page
                is open.
              </>
            }
          />
          <Form.Check
            type="radio"
            name="executionMode"
            id="conn-mode-relay"
            checked={d.executionMode === 'relay'}
            onChange={() => set('executionMode', 'relay')}
            label={
              <>
                <strong>Relay</strong> — the console server forwards each request with the same
                per-user token, only to this base URL. Works without CORS and keeps the token out of
                the browser, but the results pass through (and load) the console server, which must
                be able to reach the provider.
              </>
            }
          />
        </fieldset>

        <fieldset className="mt-4">
          <legend className="h6">Who may use it</legend>
          <div className="d-flex flex-wrap gap-3" role="group" aria-label="Roles granted">
            {ROLES.map((role) => (
              <Form.Check
                key={role}
                type="checkbox"
                id={`conn-role-${role}`}
                label={role}
                checked={d.roles.includes(role)}
                onChange={(e) =>
                  set(
                    'roles',
                    e.target.checked ? [...d.roles, role] : d.roles.filter((r) => r !== role),
                  )
                }
                isInvalid={errors['grants.roles'] !== undefined}
              />
            ))}
          </div>
          {errors['grants.roles'] && (
            <div className="invalid-feedback d-block">Roles {errors['grants.roles']}</div>
          )}
          <Form.Group controlId="conn-users" className="mt-2">
            <Form.Label>Also these users</Form.Label>
            {users.isPending ? (
              <div>
                <Spinner size="sm" animation="border" aria-hidden="true" /> Loading users…
              </div>
            ) : (
              <Form.Select
                multiple
                htmlSize={Math.min(6, Math.max(3, users.data?.length ?? 3))}
                value={d.userIds}
                onChange={(e) =>
                  set(
                    'userIds',
                    Array.from(e.target.selectedOptions, (o) => o.value),
                  )
                }
                isInvalid={errors['grants.userIds'] !== undefined}
              >
                {(users.data ?? []).map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.username} ({u.role})
                  </option>
                ))}
              </Form.Select>
            )}
            <Form.Text>
              Ctrl/Cmd-click to select several. Admins can always use every connection.
            </Form.Text>
          </Form.Group>
        </fieldset>
      </Modal.Body>
      <Modal.Footer>
        <Button variant="secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </Button>
        <Button type="submit" disabled={busy}>
          {busy && <Spinner animation="border" size="sm" className="me-1" aria-hidden="true" />}
          {connection ? 'Save changes' : 'Create connection'}
        </Button>
      </Modal.Footer>
    </Form>
  );
}
