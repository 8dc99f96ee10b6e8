/**
 * CSRF: every state-changing request (POST, PUT, PATCH, DELETE) from a signed-in session must
 * carry `x-csrf-token` equal to the session's token (constant-time compare). Routes protected
 * another way opt out with `config.csrf: false` (login: SameSite=Strict + Origin check).
 * Runs after the permission hook, so anonymous callers get 401 first.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../lib/errors.ts';
import { safeEqual, sha256Hex } from '../modules/auth/session.service.ts';

export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function registerCsrf(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (SAFE_METHODS.has(request.method)) return;
    const config = request.routeOptions.config;
    if (config?.permission === undefined || config.csrf === false) return;
    if (!request.session) {
      // A public state-changing route without its own protection is a bug; refuse it.
      if (config.permission === 'public')
        throw new AppError('CSRF_INVALID', 'Missing or wrong CSRF token.');
      return;
    }
    const header = request.headers[CSRF_HEADER];
    const token = Array.isArray(header) ? header[0] : header;
    if (!token || !safeEqual(sha256Hex(token), request.session.csrfHash)) {
      throw new AppError(
        'CSRF_INVALID',
        'Missing or wrong CSRF token. Reload the page and try again.',
      );
    }
  });
}
