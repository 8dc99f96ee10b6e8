import { http } from './http';
import type { Branding } from './types';

export const settingsKeys = {
  all: ['settings'] as const,
  branding: () => [...settingsKeys.all, 'branding'] as const,
};

export const DEFAULT_BRANDING: Branding = {
  name: 'SCIM Console',
  primaryColor: '#0d6efd',
  logoDataUrl: null,
};
/** The server's limit for the logo data URL (docs/api.md). */
export const MAX_LOGO_BYTES = 100 * 1024;

export async function fetchBranding(): Promise<Branding> {
  return (await http.get<Branding>('/api/settings/branding')).data;
}

export async function saveBranding(branding: Branding): Promise<Branding> {
  return (await http.put<Branding>('/api/settings/branding', branding)).data;
}
