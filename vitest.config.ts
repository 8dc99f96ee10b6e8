import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// Paths resolve from this file so `vitest run --project x` works from any folder.
const here = (path: string) => resolve(import.meta.dirname, path);

// One Vitest run covers every package; each package is a project so that
// `npm test -w <pkg>` (`vitest run --project <name>`) runs just its own tests.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'scim',
          root: here('./packages/scim'),
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'sandbox',
          root: here('./apps/sandbox'),
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'server',
          root: here('./apps/server'),
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      here('./apps/web/vite.config.ts'),
      {
        test: {
          name: 'repo',
          root: here('.'),
          include: ['test/**/*.test.ts', 'deploy/**/*.test.ts', 'bench/**/*.test.ts', 'scripts/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
