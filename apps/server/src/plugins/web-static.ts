/**
 * Serves the built SPA (WEB_DIST) from the same origin: files as they are, index.html for any
 * other GET that is not under /api (client-side routes). index.html is `no-store` (it names
 * the current hashed bundles); /assets/* are content-hashed, so immutable for a year.
 */
import { stat } from 'node:fs/promises';
import { join, normalize, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../lib/errors.ts';

export async function registerWebStatic(app: FastifyInstance, root: string): Promise<void> {
  // `serve: false`: only reply.sendFile; the one route below declares its permission like all others.
  await app.register(fastifyStatic, { root, serve: false, index: false, dotfiles: 'deny' });

  const isFile = async (relative: string): Promise<boolean> => {
    const full = normalize(join(root, relative));
    if (full !== root && !full.startsWith(root.endsWith(sep) ? root : root + sep)) return false;
    try {
      return (await stat(full)).isFile();
    } catch {
      return false;
    }
  };

  app.get(
    '/*',
    { config: { permission: 'public' }, schema: { hide: true } },
    async (request, reply) => {
      const path = decodeURIComponent((request.url.split('?')[0] ?? '/').replace(/^\/+/, ''));
      if (path === 'api' || path.startsWith('api/') || path.includes('\0')) {
        throw new AppError('NOT_FOUND', `No route ${request.method} /${path}`);
      }
      if (path && path !== 'index.html' && (await isFile(path))) {
        const immutable = path.startsWith('assets/');
        reply.header(
          'cache-control',
          immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
        return reply.sendFile(path, { cacheControl: false });
      }
      if (path.startsWith('assets/')) throw new AppError('NOT_FOUND', 'No such asset.');
      reply.header('cache-control', 'no-store');
      return reply.sendFile('index.html', { cacheControl: false });
    },
  );
}
