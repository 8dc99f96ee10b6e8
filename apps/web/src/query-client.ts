import { QueryClient } from '@tanstack/react-query';
import { toApiError } from './api/http';

/** Client errors (4xx) are answers, not glitches: retry only network failures and 5xx, once. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        retry: (failureCount, error) => {
          const e = toApiError(error);
          return failureCount < 1 && (e.status === 0 || e.status >= 500) && e.code !== 'CANCELLED';
        },
      },
      mutations: { retry: false },
    },
  });
}
