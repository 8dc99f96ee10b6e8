/**
 * Request rate limits (@fastify/rate-limit): a global per-IP budget (RATE_LIMIT_MAX per
 * minute) and a strict one on login (LOGIN_RATE_LIMIT_MAX per minute, route config).
 * Counters are per replica (in memory); the login throttle that matters for guessing lives in
 * the database (modules/auth/login-throttle.service.ts) and is shared by every replica.
 * Operations endpoints are exempt so probes and scrapes never fail because of traffic.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../lib/errors.ts';

export async function registerRateLimit(app: FastifyInstance): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    max: app.config.rateLimit.max,
    timeWindow: '1 minute',
    // request.ip is undefined once the client has gone away; the plugin's default key then
    // throws. Fall back to the socket, then to one shared bucket.
    keyGenerator: (request) => request.ip ?? request.socket?.remoteAddress ?? 'unknown',
    allowList: (request) =>
      request.url === '/healthz' || request.url === '/readyz' || request.url === '/metrics',
    errorResponseBuilder: (_request, context) =>
      new AppError('RATE_LIMITED', 'Too many requests. Slow down and try again.', {
        retryAfter: Math.max(1, Math.ceil(context.ttl / 1000)),
      }),
  });
}
