import { useQuery } from '@tanstack/react-query';
import { Container, Nav, Navbar, NavDropdown } from 'react-bootstrap';
import { NavLink, useNavigate } from 'react-router';
import { connectionKeys, fetchConnections } from '../api/connections';
import type { Branding, ThemePreference } from '../api/types';
import { useSession } from '../auth/session';
import { useTheme } from '../theme/theme';
import { useAllTokenStatuses } from '../token-store/use-token-status';
import { TokenBadge } from './TokenBadge';

const THEMES: { value: ThemePreference; label: string; icon: string }[] = [
  { value: 'light', label: 'Light', icon: 'sun' },
  { value: 'dark', label: 'Dark', icon: 'moon-stars' },
  { value: 'system', label: 'Follow system', icon: 'circle-half' },
];

/** Above this many connections the header shows a summary instead of one badge each. */
const MAX_BADGES = 3;

function TokenStates() {
  const { can } = useSession();
  const statuses = useAllTokenStatuses();
  const { data: connections } = useQuery({
    queryKey: connectionKeys.list(),
    queryFn: fetchConnections,
    enabled: can('token:own'),
    staleTime: 60_000,
  });
  if (!connections || connections.length === 0) return null;
  if (connections.length > MAX_BADGES) {
    const ok = connections.filter((c) => statuses.get(c.id)?.state === 'valid').length;
    return (
      <Nav>
        <NavDropdown
          align="end"
          id="token-menu"
          title={
            <span>
              <i className="bi bi-key me-1" aria-hidden="true" />
              Tokens{' '}
              <span
                className={`badge ${ok === connections.length ? 'text-bg-success' : 'text-bg-warning'}`}
              >
                {ok}/{connections.length}
                <span className="visually-hidden"> valid</span>
              </span>
            </span>
          }
        >
          {connections.map((c) => (
            <NavDropdown.ItemText key={c.id} className="py-1">
              <TokenBadge connectionId={c.id} name={c.name} info={statuses.get(c.id)} wide />
            </NavDropdown.ItemText>
          ))}
          <NavDropdown.Divider />
          <NavDropdown.Item as={NavLink} to="/tokens">
            Manage tokens
          </NavDropdown.Item>
        </NavDropdown>
      </Nav>
    );
  }
  return (
    <div
      className="d-flex flex-wrap align-items-center gap-1 py-1"
      aria-label="Token state per connection"
      role="group"
    >
      {connections.map((c) => (
        <TokenBadge key={c.id} connectionId={c.id} name={c.name} info={statuses.get(c.id)} />
      ))}
    </div>
  );
}

export function Header({ branding }: { branding: Branding }) {
  const { user, can, logout } = useSession();
  const { preference, setPreference } = useTheme();
  const navigate = useNavigate();
  const current = THEMES.find((t) => t.value === preference) ?? THEMES[2]!;

  const signOut = async () => {
    await logout();
    navigate('/login', { replace: true });
  };

  return (
    <header>
      <Navbar
        expand="lg"
        collapseOnSelect
        className="border-bottom bg-body-tertiary"
        aria-label="Main"
      >
        <Container fluid>
          <Navbar.Brand as={NavLink} to="/" className="d-flex align-items-center gap-2">
            {branding.logoDataUrl ? (
              <img
                src={branding.logoDataUrl}
                alt=""
                height={28}
                style={{ maxWidth: 120, objectFit: 'contain' }}
              />
            ) : (
              <i className="bi bi-diagram-3 text-primary" aria-hidden="true" />
            )}
            <span>{branding.name}</span>
          </Navbar.Brand>
          <Navbar.Toggle aria-controls="main-nav" aria-label="Toggle navigation" />
          <Navbar.Collapse id="main-nav">
            <Nav className="me-auto">
              {can('query:run') && (
                <Nav.Link as={NavLink} to="/" end eventKey="/">
                  Query
                </Nav.Link>
              )}
              {can('history:own') && (
                <Nav.Link as={NavLink} to="/history" eventKey="/history">
                  History
                </Nav.Link>
              )}
              {can('token:own') && (
                <Nav.Link as={NavLink} to="/tokens" eventKey="/tokens">
                  Tokens
                </Nav.Link>
              )}
              {can('audit:read-all') && (
                <Nav.Link as={NavLink} to="/audit" eventKey="/audit">
                  Audit
                </Nav.Link>
              )}
              {can('admin:manage') && (
                <NavDropdown title="Admin" id="admin-menu">
                  <NavDropdown.Item
                    as={NavLink}
                    to="/admin/connections"
                    eventKey="/admin/connections"
                  >
                    Connections
                  </NavDropdown.Item>
                  <NavDropdown.Item as={NavLink} to="/admin/users" eventKey="/admin/users">
                    Users and roles
                  </NavDropdown.Item>
                  <NavDropdown.Item as={NavLink} to="/admin/branding" eventKey="/admin/branding">
                    Branding
                  </NavDropdown.Item>
                </NavDropdown>
              )}
            </Nav>
            <div className="d-flex flex-column flex-lg-row align-items-lg-center gap-2">
              {can('token:own') && <TokenStates />}
              <Nav>
                <NavDropdown
                  align="end"
                  id="theme-menu"
                  title={
                    <span>
                      <i className={`bi bi-${current.icon}`} aria-hidden="true" />
                      <span className="visually-hidden">Colour mode: {current.label}</span>
                      <span className="d-lg-none ms-1">Colour mode</span>
                    </span>
                  }
                >
                  {THEMES.map((t) => (
                    <NavDropdown.Item
                      key={t.value}
                      as="button"
                      active={t.value === preference}
                      aria-pressed={t.value === preference}
                      onClick={() => setPreference(t.value)}
                    >
                      <i className={`bi bi-${t.icon} me-2`} aria-hidden="true" />
                      {t.label}
                    </NavDropdown.Item>
                  ))}
                </NavDropdown>
                <NavDropdown
                  align="end"
                  id="user-menu"
                  title={
                    <span>
                      <i className="bi bi-person-circle me-1" aria-hidden="true" />
                      {user?.displayName || user?.username}
                    </span>
                  }
                >
                  <NavDropdown.ItemText className="small text-body-secondary">
                    Signed in as <strong>{user?.username}</strong> ({user?.role})
                  </NavDropdown.ItemText>
                  <NavDropdown.Divider />
                  <NavDropdown.Item as="button" onClick={() => void signOut()}>
                    <i className="bi bi-box-arrow-right me-2" aria-hidden="true" />
                    Sign out
                  </NavDropdown.Item>
                </NavDropdown>
              </Nav>
            </div>
          </Navbar.Collapse>
        </Container>
      </Navbar>
    </header>
  );
}
