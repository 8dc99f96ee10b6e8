import { describe, expect, it } from 'vitest';
import { createTestDatabase, login, testConfig } from '../../test/helpers/test-app.ts';
import { buildApp } from '../app.ts';
import { createAdmin } from './create-admin.ts';

describe('create-admin', () => {
  it('bootstraps an admin without demo accounts, and resets it when run again', async () => {
    const { handle, database } = await createTestDatabase('sqlite');
    const config = testConfig({ env: { DEMO_ACCOUNTS: 'false' } }, database);
    const first = await createAdmin(config, 'Root', { database: handle });
    expect(first).toMatchObject({ username: 'root', created: true });
    const app = await buildApp(config, { logger: false, database: handle, keepDatabaseOpen: true });
    try {
      const session = await login(app, 'root', first.password);
      expect(session.user.role).toBe('admin');
      const second = await createAdmin(config, 'root', { database: handle });
      expect(second.created).toBe(false);
      expect(second.password).not.toBe(first.password);
      expect((await session.inject({ url: '/api/auth/me' })).statusCode).toBe(401); // sessions ended
      await login(app, 'root', second.password);
      await expect(createAdmin(config, 'x y', { database: handle })).rejects.toThrow(/username/);
    } finally {
      await app.close();
      await handle.close();
    }
  });
});
