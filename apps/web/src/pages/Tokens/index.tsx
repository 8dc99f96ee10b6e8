import { usePageTitle } from '../../components/use-page-title';

export default function TokensPage() {
  usePageTitle('Tokens');
  return <h1 className="h3">Tokens</h1>;
}
