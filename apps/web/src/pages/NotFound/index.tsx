import { Link } from 'react-router';
import { usePageTitle } from '../../components/use-page-title';

export default function NotFoundPage() {
  usePageTitle('Not found');
  return (
    <section>
      <h1 className="h3">Page not found</h1>
      <p>
        There is nothing at this address. <Link to="/">Go to the start page</Link>.
      </p>
    </section>
  );
}
