import { http } from './http';
import type { SavedQuery } from './types';

export const savedQueryKeys = {
  all: ['saved-queries'] as const,
  list: () => [...savedQueryKeys.all, 'list'] as const,
};

export async function fetchSavedQueries(): Promise<SavedQuery[]> {
  return (await http.get<{ queries: SavedQuery[] }>('/api/saved-queries')).data.queries;
}

export async function saveQuery(name: string, input: Record<string, unknown>): Promise<SavedQuery> {
  return (await http.post<SavedQuery>('/api/saved-queries', { name, input })).data;
}

export async function deleteSavedQuery(id: string): Promise<void> {
  await http.delete(`/api/saved-queries/${encodeURIComponent(id)}`);
}
