import { usePageTitle } from '../../components/use-page-title';

export default function HistoryPage() {
  usePageTitle('History');
  return <h1 className="h3">History</h1>;
}
