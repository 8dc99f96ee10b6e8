// Placeholder committed by web-shell so the route resolves; web-query owns this file
// and replaces it with the real Query page.
export default function QueryPage() {
  return <h1 className="h3">Query</h1>;
}
