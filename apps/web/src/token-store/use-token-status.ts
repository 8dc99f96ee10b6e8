import { useSyncExternalStore } from 'react';
import { getTokenSnapshot, subscribe, type TokenInfo } from './token-store';

/** The token state of one connection (undefined until something is known). */
export function useTokenStatus(connectionId: string | null | undefined): TokenInfo | undefined {
  const all = useSyncExternalStore(subscribe, getTokenSnapshot, getTokenSnapshot);
  return connectionId ? all.get(connectionId) : undefined;
}

/** Every connection's token state, for the header. */
export function useAllTokenStatuses(): ReadonlyMap<string, TokenInfo> {
  return useSyncExternalStore(subscribe, getTokenSnapshot, getTokenSnapshot);
}
