import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { DEFAULT_BRANDING, fetchBranding, settingsKeys } from '../api/settings';
import type { Branding } from '../api/types';
import { applyBranding } from './branding';

/** The organisation's branding (public endpoint), applied to the document as it changes. */
export function useBranding(): Branding {
  const { data } = useQuery({
    queryKey: settingsKeys.branding(),
    queryFn: fetchBranding,
    staleTime: 5 * 60_000,
    retry: 1,
  });
  const branding = data ?? DEFAULT_BRANDING;
  useEffect(() => {
    applyBranding(data ?? null);
  }, [data]);
  return branding;
}
