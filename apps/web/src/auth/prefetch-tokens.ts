import { fetchTokenStatuses } from '../api/token';
import { getToken, setTokenStatus } from '../token-store/token-store';

/**
 * Loads the status of every granted connection's token, then the access tokens that are
 * usable, into the in-memory store. Status first so that no request is made that is
 * known to fail (a 404 for a missing token would be a console error in the browser).
 */
export async function prefetchTokens(): Promise<void> {
  let statuses;
  try {
    statuses = await fetchTokenStatuses();
  } catch {
    return; // The header shows "unknown"; the Tokens page shows the error.
  }
  for (const status of statuses) setTokenStatus(status);
  await Promise.allSettled(
    statuses
      .filter((s) => s.state === 'valid' || s.state === 'expiring' || s.state === 'expired')
      .map((s) => getToken(s.connectionId)),
  );
}
