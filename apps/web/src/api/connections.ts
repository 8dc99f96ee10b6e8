import { http } from './http';
import type { Connection, ConnectionInput, ConnectionTestResult } from './types';

export const connectionKeys = {
  all: ['connections'] as const,
  list: () => [...connectionKeys.all, 'list'] as const,
};

export async function fetchConnections(): Promise<Connection[]> {
  return (await http.get<{ connections: Connection[] }>('/api/connections')).data.connections;
}

export async function createConnection(input: ConnectionInput): Promise<Connection> {
  return (await http.post<Connection>('/api/connections', input)).data;
}

export async function updateConnection(
  id: string,
  input: Partial<ConnectionInput>,
): Promise<Connection> {
  return (await http.patch<Connection>(`/api/connections/${encodeURIComponent(id)}`, input)).data;
}

export async function deleteConnection(id: string): Promise<void> {
  await http.delete(`/api/connections/${encodeURIComponent(id)}`);
}

export async function testConnection(id: string): Promise<ConnectionTestResult> {
  return (await http.post<ConnectionTestResult>(`/api/connections/${encodeURIComponent(id)}/test`))
    .data;
}
