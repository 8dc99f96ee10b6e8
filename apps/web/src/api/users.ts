import { http } from './http';
import type { Role, User } from './types';

export const userKeys = {
  all: ['users'] as const,
  list: () => [...userKeys.all, 'list'] as const,
};

export async function fetchUsers(): Promise<User[]> {
  return (await http.get<{ users: User[] }>('/api/users')).data.users;
}

export interface NewUser {
  username: string;
  displayName?: string;
  role: Role;
  password?: string;
}

export async function createUser(input: NewUser): Promise<User> {
  return (await http.post<User>('/api/users', input)).data;
}

export interface UserPatch {
  displayName?: string;
  role?: Role;
  password?: string;
  disabled?: boolean;
}

export async function updateUser(id: string, patch: UserPatch): Promise<User> {
  return (await http.patch<User>(`/api/users/${encodeURIComponent(id)}`, patch)).data;
}

export async function deleteUser(id: string): Promise<void> {
  await http.delete(`/api/users/${encodeURIComponent(id)}`);
}
