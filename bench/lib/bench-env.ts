/**
 * The server environment every bench uses: the demo profile (like `npm start`), fixed
 * throw-away keys, a known demo password, and the per-IP rate limit raised to its maximum —
 * every load-generator connection comes from 127.0.0.1, so the default 600/min would turn the
 * benchmark into a measurement of 429 answers.
 */
import type { Env } from '../../apps/server/src/config.ts';

export const BENCH_PASSWORD = 'bench-demo-password';

export const BENCH_ENV: Env = Object.freeze({
  SCIM_CONSOLE_PROFILE: 'demo',
  DEMO_PASSWORD: BENCH_PASSWORD,
  ENCRYPTION_KEYS: `b1:${Buffer.alloc(32, 7).toString('base64')}`,
  ENCRYPTION_ACTIVE_KEY: 'b1',
  TOKEN_FINGERPRINT_KEY: Buffer.alloc(32, 8).toString('base64'),
  PUBLIC_URL: 'http://127.0.0.1:8080',
  RATE_LIMIT_MAX: '1000000',
  LOGIN_RATE_LIMIT_MAX: '10000',
  LOG_LEVEL: 'warn',
  SQLITE_PATH: ':memory:',
});
