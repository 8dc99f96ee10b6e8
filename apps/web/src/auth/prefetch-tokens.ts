import { fetchConnections } from '../api/connections';
import { fetchTokenStatuses } from '../api/token';
import { getToken, setTokenStatus } from '../token-store/token-store';

/**
 * On session start: the status of every granted connection's token (for the header),
 * then the access tokens the browser will need, into the in-memory store.
 * - Status first, so no request is made that is known to fail (a 404 for a missing token
 *   would be a console error in the browser).
 * - Only direct-mode connections: in relay mode the server attaches the token, so the
 *   browser never needs to hold it.
 */
export async function prefetchTokens(): Promise<void> {
  let statuses;
  let connections;
  try {
    [statuses, connections] = await Promise.all([fetchTokenStatuses(), fetchConnections()]);
  } catch {
    return; // The header shows "unknown"; the Tokens page shows the error.
  }
  for (const status of statuses) setTokenStatus(status);
  const direct = new Set(connections.filter((c) => c.executionMode === 'direct').map((c) => c.id));
  await Promise.allSettled(
    statuses
      .filter((s) => direct.has(s.connectionId))
      .filter((s) => s.state === 'valid' || s.state === 'expiring' || s.state === 'expired')
      .map((s) => getToken(s.connectionId)),
  );
}
