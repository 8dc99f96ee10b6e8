import { http } from './http';
import type { TokenStatus } from './types';

export const tokenKeys = {
  all: ['token'] as const,
  statuses: () => [...tokenKeys.all, 'status'] as const,
  status: (connectionId: string) => [...tokenKeys.all, 'status', connectionId] as const,
};

export async function fetchTokenStatuses(): Promise<TokenStatus[]> {
  return (await http.get<{ statuses: TokenStatus[] }>('/api/token/status')).data.statuses;
}

export async function fetchTokenStatus(connectionId: string): Promise<TokenStatus> {
  return (await http.get<TokenStatus>('/api/token/status', { params: { connectionId } })).data;
}

/** Links a pasted token; the backend verifies it against the provider first. */
export async function linkToken(connectionId: string, token: string): Promise<TokenStatus> {
  return (await http.put<TokenStatus>('/api/token', { connectionId, token })).data;
}

export async function unlinkToken(connectionId: string): Promise<void> {
  await http.delete('/api/token', { params: { connectionId } });
}

export function oauthStartUrl(connectionId: string, returnTo = '/tokens'): string {
  return `/api/token/oauth/start?${new URLSearchParams({ connectionId, returnTo })}`;
}
