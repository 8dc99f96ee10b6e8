import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Alert, Badge, Button, Col, Form, Modal, Row, Table } from 'react-bootstrap';
import {
  createUser,
  fetchUsers,
  updateUser,
  userKeys,
  type NewUser,
  type UserPatch,
} from '../../api/users';
import { ROLES, type Role, type User } from '../../api/types';
import { useSession } from '../../auth/session';
import { DelayedSpinner } from '../../components/DelayedSpinner';
import { ErrorAlert } from '../../components/ErrorAlert';
import { fieldErrors } from '../../components/field-errors';
import { formatDateTime } from '../../components/token-state';
import { usePageTitle } from '../../components/use-page-title';
import { AdminNav } from './AdminNav';

const ROLE_HELP: Record<Role, string> = {
  viewer: 'runs predefined queries only',
  operator: 'builds and runs any query',
  auditor: 'reads everyone’s audit trail; runs no queries',
  admin: 'everything, including connections, users and branding',
};

const MIN_PASSWORD = 8;

function NewUserForm({ onCreated }: { onCreated: (u: User) => void }) {
  const [draft, setDraft] = useState<NewUser>({
    username: '',
    displayName: '',
    role: 'viewer',
    password: '',
  });
  const create = useMutation({ mutationFn: createUser, onSuccess: onCreated });
  const errors = fieldErrors(create.error);
  const shortPassword = !!draft.password && draft.password.length < MIN_PASSWORD;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (shortPassword) return;
    create.mutate(
      {
        username: draft.username.trim(),
        role: draft.role,
        ...(draft.displayName?.trim() ? { displayName: draft.displayName.trim() } : {}),
        ...(draft.password ? { password: draft.password } : {}),
      },
      {
        onSuccess: () => setDraft({ username: '', displayName: '', role: 'viewer', password: '' }),
      },
    );
  };
  return (
    <Form
      onSubmit={submit}
      className="border rounded p-3 mb-4 bg-body-tertiary"
      aria-labelledby="new-user-title"
    >
      <h2 id="new-user-title" className="h5">
        Add a user
      </h2>
      {create.error && Object.keys(errors).length === 0 && <ErrorAlert error={create.error} />}
      <Row className="g-2 align-items-start">
        <Col xs={12} sm={6} lg={3}>
          <Form.Group controlId="new-user-username">
            <Form.Label>Username</Form.Label>
            <Form.Control
              required
              autoComplete="off"
              autoCapitalize="none"
              value={draft.username}
              onChange={(e) => setDraft({ ...draft, username: e.target.value })}
              isInvalid={!!errors.username}
            />
            <Form.Control.Feedback type="invalid">Username {errors.username}</Form.Control.Feedback>
          </Form.Group>
        </Col>
        <Col xs={12} sm={6} lg={3}>
          <Form.Group controlId="new-user-display">
            <Form.Label>Display name</Form.Label>
            <Form.Control
              value={draft.displayName}
              onChange={(e) => setDraft({ ...draft, displayName: e.target.value })}
              isInvalid={!!errors.displayName}
            />
            <Form.Control.Feedback type="invalid">
              Display name {errors.displayName}
            </Form.Control.Feedback>
          </Form.Group>
        </Col>
        <Col xs={12} sm={6} lg={2}>
          <Form.Group controlId="new-user-role">
            <Form.Label>Role</Form.Label>
            <Form.Select
              value={draft.role}
              onChange={(e) => setDraft({ ...draft, role: e.target.value as Role })}
            >
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </Form.Select>
          </Form.Group>
        </Col>
        <Col xs={12} sm={6} lg={4}>
          <Form.Group controlId="new-user-password">
            <Form.Label>Initial password</Form.Label>
            <Form.Control
              type="password"
              autoComplete="new-password"
              value={draft.password}
              onChange={(e) => setDraft({ ...draft, password: e.target.value })}
              isInvalid={shortPassword || !!errors.password}
            />
            <Form.Control.Feedback type="invalid">
              Password {errors.password ?? `must be at least ${MIN_PASSWORD} characters`}
            </Form.Control.Feedback>
            <Form.Text>Leave blank for a single sign-on only account.</Form.Text>
          </Form.Group>
        </Col>
      </Row>
      <Form.Text className="d-block mb-2">
        {draft.role}: {ROLE_HELP[draft.role]}.
      </Form.Text>
      <Button type="submit" disabled={create.isPending || !draft.username.trim()}>
        <i className="bi bi-person-plus me-1" aria-hidden="true" />
        Add user
      </Button>
    </Form>
  );
}

function ResetPasswordModal({
  user,
  onClose,
}: {
  user: User | null;
  onClose: (done: boolean) => void;
}) {
  const [password, setPassword] = useState('');
  const reset = useMutation({
    mutationFn: (p: string) => updateUser(user!.id, { password: p }),
    onSuccess: () => {
      setPassword('');
      onClose(true);
    },
  });
  const short = password.length > 0 && password.length < MIN_PASSWORD;
  return (
    <Modal
      show={user !== null}
      onHide={() => onClose(false)}
      aria-labelledby="reset-title"
      centered
    >
      <Form
        onSubmit={(e) => {
          e.preventDefault();
          if (!short && password) reset.mutate(password);
        }}
      >
        <Modal.Header closeButton>
          <Modal.Title id="reset-title" as="h2" className="h5">
            Reset password for {user?.username}
          </Modal.Title>
        </Modal.Header>
        <Modal.Body>
          <ErrorAlert error={reset.error} />
          <Form.Group controlId="reset-password">
            <Form.Label>New password</Form.Label>
            <Form.Control
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              isInvalid={short}
              autoFocus
            />
            <Form.Control.Feedback type="invalid">
              Must be at least {MIN_PASSWORD} characters.
            </Form.Control.Feedback>
            <Form.Text>
              Tell the user through a separate channel. Their current sessions end.
            </Form.Text>
          </Form.Group>
        </Modal.Body>
        <Modal.Footer>
          <Button variant="secondary" onClick={() => onClose(false)}>
            Cancel
          </Button>
          <Button type="submit" disabled={!password || short || reset.isPending}>
            Set password
          </Button>
        </Modal.Footer>
      </Form>
    </Modal>
  );
}

export default function UsersAdminPage() {
  usePageTitle('Users and roles');
  const { user: me } = useSession();
  const queryClient = useQueryClient();
  const users = useQuery({ queryKey: userKeys.list(), queryFn: fetchUsers });
  const [notice, setNotice] = useState<string | null>(null);
  const [resetting, setResetting] = useState<User | null>(null);
  const patch = useMutation({
    mutationFn: ({ id, change }: { id: string; change: UserPatch; label: string }) =>
      updateUser(id, change),
    onSuccess: (_u, { label }) => {
      setNotice(label);
      void queryClient.invalidateQueries({ queryKey: userKeys.all });
    },
  });

  return (
    <>
      <AdminNav />
      <h1 className="h3">Users and roles</h1>
      <ul className="small text-body-secondary">
        {ROLES.map((r) => (
          <li key={r}>
            <strong>{r}</strong>: {ROLE_HELP[r]}
          </li>
        ))}
      </ul>
      <NewUserForm
        onCreated={(u) => {
          setNotice(`User ${u.username} added as ${u.role}.`);
          void queryClient.invalidateQueries({ queryKey: userKeys.all });
        }}
      />
      {notice && (
        <Alert variant="success" dismissible onClose={() => setNotice(null)}>
          {notice}
        </Alert>
      )}
      <ErrorAlert error={patch.error} title="The change was not saved." />
      {users.isPending && <DelayedSpinner label="Loading users…" />}
      <ErrorAlert error={users.error} onRetry={() => void users.refetch()} />
      {users.data && (
        <div className="table-responsive">
          <Table hover className="align-middle">
            <caption className="visually-hidden">Users</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">Sign-in</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((u) => {
                const self = u.id === me?.id;
                return (
                  <tr key={u.id}>
                    <td>
                      <div className="fw-semibold">{u.displayName || u.username}</div>
                      <div className="small text-body-secondary">
                        {u.username}
                        {self && ' (you)'}
                      </div>
                    </td>
                    <td>
                      <Form.Select
                        size="sm"
                        aria-label={`Role of ${u.username}`}
                        value={u.role}
                        disabled={self || patch.isPending}
                        title={self ? 'You cannot change your own role' : undefined}
                        onChange={(e) =>
                          patch.mutate({
                            id: u.id,
                            change: { role: e.target.value as Role },
                            label: `${u.username} is now ${e.target.value}.`,
                          })
                        }
                        style={{ minWidth: '8rem' }}
                      >
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {r}
                          </option>
                        ))}
                      </Form.Select>
                    </td>
                    <td className="small">
                      {u.authSource === 'oidc' ? 'SSO' : 'Local'}
                      {u.lastLoginAt !== undefined && (
                        <div className="text-body-secondary">
                          last: {formatDateTime(u.lastLoginAt)}
                        </div>
                      )}
                    </td>
                    <td>
                      {u.disabled ? (
                        <Badge bg="secondary">Disabled</Badge>
                      ) : (
                        <Badge bg="success">Active</Badge>
                      )}
                    </td>
                    <td className="text-end text-nowrap">
                      {u.authSource === 'local' && (
                        <Button
                          size="sm"
                          variant="outline-secondary"
                          className="me-1"
                          onClick={() => setResetting(u)}
                          aria-label={`Reset password for ${u.username}`}
                        >
                          <i className="bi bi-key" aria-hidden="true" /> Reset password
                        </Button>
                      )}
                      <Button
                        size="sm"
                        variant={u.disabled ? 'outline-success' : 'outline-danger'}
                        disabled={self || patch.isPending}
                        aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.username}`}
                        onClick={() =>
                          patch.mutate({
                            id: u.id,
                            change: { disabled: !u.disabled },
                            label: `${u.username} ${u.disabled ? 'enabled' : 'disabled'}.`,
                          })
                        }
                      >
                        {u.disabled ? 'Enable' : 'Disable'}
                      </Button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        </div>
      )}
      <ResetPasswordModal
        user={resetting}
        onClose={(done) => {
          if (done && resetting) setNotice(`Password of ${resetting.username} reset.`);
          setResetting(null);
        }}
      />
    </>
  );
}
