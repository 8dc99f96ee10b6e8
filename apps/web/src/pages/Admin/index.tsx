import { usePageTitle } from '../../components/use-page-title';

export function ConnectionsAdminPage() {
  usePageTitle('Connections');
  return <h1 className="h3">Connections</h1>;
}
export function UsersAdminPage() {
  usePageTitle('Users and roles');
  return <h1 className="h3">Users and roles</h1>;
}
export function BrandingAdminPage() {
  usePageTitle('Branding');
  return <h1 className="h3">Branding</h1>;
}
