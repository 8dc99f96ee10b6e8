/**
 * Security headers (helmet) and a strict Content-Security-Policy whose connect-src lists the
 * SCIM origins the browser calls directly: every direct-mode connection's origin plus
 * SCIM_CONNECT_SRC. The list comes from the database and is cached; the connections module
 * calls `invalidateCspCache()` after a change, and a short TTL covers changes made by other
 * replicas.
 *
 * style-src allows 'unsafe-inline' because CodeMirror 6 (the filter editor) injects <style>
 * elements at run time and react-querybuilder/Bootstrap components set style attributes.
 * Inline style cannot run script; script-src stays 'self' only (no inline, no eval).
 */
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

const CACHE_TTL_MS = 30_000;
let generation = 0;

/** Call after connections change so the next response carries the new connect-src. */
export function invalidateCspCache(): void {
  generation += 1;
}

export function buildCsp(connectOrigins: readonly string[]): string {
  const connect = ["'self'", ...new Set(connectOrigins)].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src ${connect}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : null;
  } catch {
    return null;
  }
}

export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  const production = app.config.profile === 'production';
  await app.register(helmet, {
    // Set below (dynamic connect-src).
    contentSecurityPolicy: false,
    // HSTS only where the public URL is https in production (a demo on http must not pin it).
    hsts: production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
  });

  let cached: { value: string; generation: number; at: number } | null = null;
  const currentCsp = async (): Promise<string> => {
    const now = Date.now();
    if (cached && cached.generation === generation && now - cached.at < CACHE_TTL_MS)
      return cached.value;
    const seen = generation;
    let origins: string[] = [];
    try {
      const rows = await app.db
        .selectFrom('connections')
        .select(['base_url'])
        .where('execution_mode', '=', 'direct')
        .execute();
      origins = rows.map((r) => originOf(r.base_url)).filter((o): o is string => o !== null);
    } catch (error) {
      // Without the list the browser may not reach providers; answer with the static part.
      app.log.warn({ err: error }, 'could not read connection origins for the CSP');
      if (cached) return cached.value;
    }
    const value = buildCsp([...origins.sort(), ...app.config.scimConnectSrc]);
    cached = { value, generation: seen, at: now };
    return value;
  };

  app.addHook('onSend', async (request, reply, payload) => {
    if (!reply.hasHeader('content-security-policy'))
      reply.header('content-security-policy', await currentCsp());
    reply.header(
      'permissions-policy',
      'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
    );
    // API answers carry personal data: no shared or browser cache unless a route says otherwise.
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control')) {
      reply.header('cache-control', 'no-store');
    }
    return payload;
  });
}
