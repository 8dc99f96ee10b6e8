// A tiny real HTTP server for component tests (node:http on an ephemeral port), so the
// app's axios instance, interceptors and error mapping run for real instead of a mock.
// jsdom enforces CORS (its origin is http://localhost:3000), so the server answers
// preflights the way a same-origin deployment never needs to.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { http } from '../api/http';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Delays the answer, to observe in-flight behaviour. */
  delayMs?: number;
}

export type Handler = (req: RecordedRequest) => Reply | Promise<Reply>;

export interface ApiServer {
  url: string;
  requests: RecordedRequest[];
  /** Requests other than CORS preflights, optionally for one path. */
  calls: (path?: string) => RecordedRequest[];
  handle: (handler: Handler) => void;
  close: () => Promise<void>;
}

export async function startApiServer(
  initial: Handler = () => ({ status: 404, body: notFound() }),
): Promise<ApiServer> {
  let handler = initial;
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const origin = req.headers.origin ?? '*';
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Expose-Headers', 'retry-after');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE');
      res.setHeader(
        'Access-Control-Allow-Headers',
        req.headers['access-control-request-headers'] ?? '',
      );
      res.writeHead(204).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw || undefined;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        /* keep the raw text */
      }
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
      };
      requests.push(recorded);
      void Promise.resolve(handler(recorded)).then(async (reply) => {
        if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
        const status = reply.status ?? 200;
        const headers: Record<string, string> = { ...reply.headers };
        if (reply.body !== undefined) headers['content-type'] ??= 'application/json';
        res.writeHead(status, headers);
        res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const previousBase = http.defaults.baseURL;
  http.defaults.baseURL = url;
  return {
    url,
    requests,
    calls: (path) => requests.filter((r) => path === undefined || r.path === path),
    handle: (next) => {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        http.defaults.baseURL = previousBase;
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function apiError(code: string, message: string, details?: Record<string, unknown>) {
  return { error: { code, message, ...(details ? { details } : {}) } };
}

function notFound() {
  return apiError('NOT_FOUND', 'Not found.');
}
