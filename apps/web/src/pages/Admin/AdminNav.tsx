import { Nav } from 'react-bootstrap';
import { NavLink } from 'react-router';

/** Tabs between the admin pages (the header's Admin menu is collapsed on phones). */
export function AdminNav() {
  return (
    <Nav variant="tabs" className="mb-3" as="nav" aria-label="Administration">
      <Nav.Item>
        <Nav.Link as={NavLink} to="/admin/connections">
          Connections
        </Nav.Link>
      </Nav.Item>
      <Nav.Item>
        <Nav.Link as={NavLink} to="/admin/users">
          Users and roles
        </Nav.Link>
      </Nav.Item>
      <Nav.Item>
        <Nav.Link as={NavLink} to="/admin/branding">
          Branding
        </Nav.Link>
      </Nav.Item>
    </Nav>
  );
}
