import { http } from './http';
import type { AuthProviders, SessionInfo, SessionProbe, ThemePreference, User } from './types';

export const authKeys = {
  all: ['auth'] as const,
  providers: () => [...authKeys.all, 'providers'] as const,
  me: () => [...authKeys.all, 'me'] as const,
};

export async function fetchProviders(): Promise<AuthProviders> {
  return (await http.get<AuthProviders>('/api/auth/providers')).data;
}

export async function fetchSession(): Promise<SessionProbe> {
  return (await http.get<SessionProbe>('/api/auth/session')).data;
}

export async function login(username: string, password: string): Promise<SessionInfo> {
  return (await http.post<SessionInfo>('/api/auth/login', { username, password })).data;
}

export async function logout(): Promise<void> {
  await http.post('/api/auth/logout');
}

export async function savePreferences(preferences: { theme: ThemePreference }): Promise<User> {
  return (await http.put<User>('/api/me/preferences', preferences)).data;
}

/** Same-origin relative path only (the server rejects anything else). */
export function safeReturnTo(path: string | null | undefined): string {
  if (!path || !path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) return '/';
  return path;
}

export function oidcStartUrl(returnTo: string): string {
  return `/api/auth/oidc/start?${new URLSearchParams({ returnTo: safeReturnTo(returnTo) })}`;
}
