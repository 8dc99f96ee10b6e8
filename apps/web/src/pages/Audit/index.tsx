import { usePageTitle } from '../../components/use-page-title';

export default function AuditPage() {
  usePageTitle('Audit');
  return <h1 className="h3">Audit</h1>;
}
