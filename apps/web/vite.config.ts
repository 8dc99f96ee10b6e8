import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The console API runs on its own port in development; Vite proxies /api to it so
// the app and its API share one origin (SameSite=Strict session cookie).
const apiTarget = process.env.SCIM_CONSOLE_API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: { '/api': apiTarget },
  },
  build: {
    outDir: 'dist',
    sourcemap: true,
  },
  test: {
    name: 'web',
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    // Component tests talk to a real local HTTP server while every package's suite shares
    // two cores: a slow run must not fail on the 5 s default.
    testTimeout: 30_000,
    css: false,
  },
});
