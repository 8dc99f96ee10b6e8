import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { AppError } from '../errors.ts';
import { checkAddress } from './address-policy.ts';

/**
 * The one outbound HTTP client of the server (discovery, token endpoints, revocation,
 * connection tests, the relay, openid-client's customFetch). See README.md for the rules.
 *
 * It speaks the Fetch API shape (`(url, init) => Promise<Response>`) so callers and
 * openid-client can use it as a drop-in, but it is built on node:http/https so that the
 * socket connects to exactly the address we validated (our `lookup` runs at connect time;
 * there is no second DNS resolution an attacker could rebind).
 */

export interface OutboundPolicy {
  /** Origins (`https://scim.example.com`, `http://127.0.0.1:8090`) a request may go to. */
  allowedOrigins: readonly string[];
  /** Allow loopback / private / link-local / CGNAT / unique-local targets (on-premises providers, the sandbox). */
  allowPrivateNetwork: boolean;
  /** Per-call override of the response size cap. */
  maxResponseBytes?: number;
  /** Per-call override of the timeout. */
  timeoutMs?: number;
}

export interface GuardedRequestInit {
  method?: string;
  headers?: Headers | Record<string, string> | [string, string][];
  body?: string | Uint8Array | ArrayBuffer | URLSearchParams | null;
  /** 'follow' (default) follows same-origin redirects; 'manual' returns the 3xx response; 'error' throws on one. */
  redirect?: 'follow' | 'manual' | 'error';
  signal?: AbortSignal | null;
}

export interface GuardedFetch {
  (
    url: string | URL,
    init: GuardedRequestInit | undefined,
    policy: OutboundPolicy,
  ): Promise<Response>;
  /** Closes pooled keep-alive sockets (server shutdown, tests). */
  close(): void;
}

export interface OutboundLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

type LookupAll = (hostname: string, options: dns.LookupAllOptions) => Promise<dns.LookupAddress[]>;

export interface GuardedFetchOptions {
  timeoutMs: number;
  logger?: OutboundLogger;
  /** Default response size cap (bytes). */
  maxResponseBytes?: number;
  /** Maximum same-origin redirects followed. */
  maxRedirects?: number;
  /** DNS resolver; defaults to the system resolver (`dns.promises.lookup`). */
  lookup?: LookupAll;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
const DEFAULT_MAX_REDIRECTS = 5;
const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

/** The origin of a URL in the canonical form `URL.origin` produces (lower-case host, default port dropped). */
export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
    return parsed.origin;
  } catch {
    return null;
  }
}

/** Host part of a URL for error messages: never the path or query (they may carry personal data). */
function hostLabel(url: URL): string {
  return url.host;
}

function notAllowed(message: string, reason: string, url?: URL): AppError {
  return new AppError('URL_NOT_ALLOWED', message, {
    reason,
    ...(url ? { host: hostLabel(url) } : {}),
  });
}

function unreachable(url: URL, reason: string): AppError {
  return new AppError('PROVIDER_UNREACHABLE', `Could not reach ${hostLabel(url)}: ${reason}`, {
    host: hostLabel(url),
  });
}

function checkUrl(url: URL, policy: OutboundPolicy): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw notAllowed('Only http and https URLs may be called', 'protocol', url);
  }
  if (url.username || url.password) {
    throw notAllowed('URLs with embedded credentials are not allowed', 'credentials', url);
  }
  const allowed = policy.allowedOrigins
    .map((o) => originOf(o))
    .filter((o): o is string => o !== null);
  if (!allowed.includes(url.origin)) {
    throw notAllowed(`${url.origin} is not an allowed origin for this connection`, 'origin', url);
  }
  // An IP literal never goes through `lookup`, so judge it here.
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (net.isIP(host)) {
    const verdict = checkAddress(host, policy.allowPrivateNetwork);
    if (!verdict.allowed)
      throw notAllowed(`${url.host} is not allowed (${verdict.reason})`, 'address', url);
  }
}

function encodeBody(body: GuardedRequestInit['body'], headers: Headers): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  let buffer: Buffer;
  if (typeof body === 'string') buffer = Buffer.from(body, 'utf8');
  else if (body instanceof URLSearchParams) {
    buffer = Buffer.from(body.toString(), 'utf8');
    if (!headers.has('content-type'))
      headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
  } else if (body instanceof ArrayBuffer) buffer = Buffer.from(body);
  else if (body instanceof Uint8Array)
    buffer = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  else throw new AppError('INTERNAL', 'Unsupported outbound request body');
  if (buffer.byteLength > MAX_REQUEST_BODY_BYTES) {
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `Outbound request body exceeds ${MAX_REQUEST_BODY_BYTES} bytes`,
    );
  }
  return buffer;
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

export function createGuardedFetch(options: GuardedFetchOptions): GuardedFetch {
  const resolve: LookupAll =
    options.lookup ?? ((hostname, opts) => dns.promises.lookup(hostname, opts));
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  // Separate keep-alive pools for public-only and private-allowed calls: a pooled socket was
  // validated under the policy of the pool it lives in, so it is never reused under a stricter one.
  const agents = {
    'http:false': new http.Agent({ keepAlive: true, maxSockets: 64 }),
    'http:true': new http.Agent({ keepAlive: true, maxSockets: 64 }),
    'https:false': new https.Agent({ keepAlive: true, maxSockets: 64 }),
    'https:true': new https.Agent({ keepAlive: true, maxSockets: 64 }),
  } as const;

  function lookupFor(policy: OutboundPolicy): net.LookupFunction {
    return (hostname, lookupOptions, callback) => {
      const family = typeof lookupOptions.family === 'number' ? lookupOptions.family : 0;
      resolve(hostname, { all: true, family: family as 0 | 4 | 6 })
        .then((addresses) => {
          if (addresses.length === 0) throw new Error('no address');
          // Refuse when ANY answer is refused: a mixed answer is the shape of a rebinding attempt.
          for (const a of addresses) {
            const verdict = checkAddress(a.address, policy.allowPrivateNetwork);
            if (!verdict.allowed) {
              const error = new Error(
                `refused address (${verdict.reason})`,
              ) as NodeJS.ErrnoException;
              error.code = 'ERR_ADDRESS_REFUSED';
              throw error;
            }
          }
          if (lookupOptions.all) callback(null, addresses);
          else callback(null, addresses[0]!.address, addresses[0]!.family);
        })
        .catch((error: NodeJS.ErrnoException) => callback(error, '', 0));
    };
  }

  function once(
    url: URL,
    method: string,
    headers: Headers,
    body: Buffer | undefined,
    policy: OutboundPolicy,
    signal: AbortSignal,
    maxBytes: number,
  ): Promise<Response> {
    return new Promise<Response>((resolvePromise, reject) => {
      const agentKey =
        `${url.protocol}${String(policy.allowPrivateNetwork)}` as keyof typeof agents;
      const outgoing: Record<string, string> = {};
      headers.forEach((value, name) => {
        outgoing[name] = value;
      });
      // Never forward a cookie: the console's session must not leave the server.
      delete outgoing['cookie'];
      if (body) outgoing['content-length'] = String(body.byteLength);
      if (!outgoing['accept-encoding']) outgoing['accept-encoding'] = 'identity';
      const transport = url.protocol === 'https:' ? https : http;
      let settled = false;
      const req = transport.request(
        url,
        {
          method,
          headers: outgoing,
          agent: agents[agentKey],
          lookup: lookupFor(policy),
          signal,
        },
        (res) => {
          settled = true;
          const status = res.statusCode ?? 502;
          const responseHeaders = new Headers();
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
            responseHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
          }
          const declared = Number(res.headers['content-length']);
          if (Number.isFinite(declared) && declared > maxBytes) {
            res.destroy();
            reject(
              new AppError(
                'PROVIDER_ERROR',
                `Response from ${hostLabel(url)} exceeds ${maxBytes} bytes`,
                { host: hostLabel(url) },
              ),
            );
            return;
          }
          if (NULL_BODY_STATUSES.has(status) || method === 'HEAD') {
            res.resume();
            resolvePromise(
              withUrl(
                new Response(null, {
                  status,
                  statusText: res.statusMessage ?? '',
                  headers: responseHeaders,
                }),
                url,
              ),
            );
            return;
          }
          let received = 0;
          const stream = new ReadableStream<Uint8Array>({
            start(controller) {
              res.on('data', (chunk: Buffer) => {
                received += chunk.byteLength;
                if (received > maxBytes) {
                  controller.error(
                    new AppError(
                      'PROVIDER_ERROR',
                      `Response from ${hostLabel(url)} exceeds ${maxBytes} bytes`,
                      { host: hostLabel(url) },
                    ),
                  );
                  res.destroy();
                  return;
                }
                controller.enqueue(
                  new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength),
                );
                if ((controller.desiredSize ?? 1) <= 0) res.pause();
              });
              let ended = false;
              res.on('end', () => {
                ended = true;
                try {
                  controller.close();
                } catch {
                  /* already errored */
                }
              });
              res.on('close', () => {
                if (ended) return;
                try {
                  controller.error(
                    unreachable(url, signal.aborted ? 'timed out' : 'connection closed'),
                  );
                } catch {
                  /* already errored */
                }
              });
              res.on('error', () => {
                try {
                  controller.error(
                    unreachable(url, signal.aborted ? 'timed out' : 'connection closed'),
                  );
                } catch {
                  /* already closed */
                }
              });
            },
            pull() {
              res.resume();
            },
            cancel() {
              res.destroy();
            },
          });
          resolvePromise(
            withUrl(
              new Response(stream, {
                status,
                statusText: res.statusMessage ?? '',
                headers: responseHeaders,
              }),
              url,
            ),
          );
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (settled) return;
        settled = true;
        if (error.code === 'ERR_ADDRESS_REFUSED') {
          reject(
            notAllowed(
              `${url.host} resolves to an address that is not allowed (${error.message.replace(/^refused address \(|\)$/g, '')})`,
              'address',
              url,
            ),
          );
        } else if (signal.aborted || error.name === 'AbortError') {
          reject(unreachable(url, 'timed out'));
        } else {
          reject(unreachable(url, error.code ?? 'connection failed'));
        }
      });
      if (body) req.end(body);
      else req.end();
    });
  }

  const guardedFetch = async function guardedFetch(
    input: string | URL,
    init: GuardedRequestInit = {},
    policy: OutboundPolicy,
  ): Promise<Response> {
    let url: URL;
    try {
      url = new URL(String(input));
    } catch {
      throw new AppError('URL_NOT_ALLOWED', 'Not a valid URL', { reason: 'syntax' });
    }
    checkUrl(url, policy);
    let method = (init.method ?? 'GET').toUpperCase();
    const headers = new Headers(init.headers);
    let body = encodeBody(init.body, headers);
    const maxBytes =
      policy.maxResponseBytes ?? options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const timeout = AbortSignal.timeout(policy.timeoutMs ?? options.timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const startedAt = Date.now();
    const redirectMode = init.redirect ?? 'follow';

    for (let hop = 0; ; hop += 1) {
      const response = await once(url, method, headers, body, policy, signal, maxBytes);
      options.logger?.debug(
        {
          outbound: {
            method,
            origin: url.origin,
            path: url.pathname,
            status: response.status,
            durationMs: Date.now() - startedAt,
          },
        },
        'outbound request',
      );
      const location = response.headers.get('location');
      if (
        response.status < 300 ||
        response.status >= 400 ||
        response.status === 304 ||
        !location ||
        redirectMode === 'manual'
      ) {
        return response;
      }
      await response.body?.cancel();
      if (redirectMode === 'error')
        throw new AppError('PROVIDER_ERROR', `${url.host} answered with a redirect`, {
          host: url.host,
        });
      if (hop >= maxRedirects)
        throw new AppError('PROVIDER_ERROR', `Too many redirects from ${url.host}`, {
          host: url.host,
        });
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new AppError('PROVIDER_ERROR', `${url.host} sent an invalid redirect`, {
          host: url.host,
        });
      }
      // Redirects stay on the same origin: a token-bearing request never follows a provider elsewhere.
      if (next.origin !== url.origin) {
        options.logger?.warn(
          { outbound: { from: url.origin, to: next.origin } },
          'refused cross-origin redirect',
        );
        throw notAllowed(
          `Refused a redirect from ${url.origin} to ${next.origin}`,
          'redirect',
          next,
        );
      }
      checkUrl(next, policy);
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method === 'POST')
      ) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = undefined;
        headers.delete('content-type');
      }
      url = next;
    }
  };
  return Object.assign(guardedFetch, {
    close() {
      for (const agent of Object.values(agents)) agent.destroy();
    },
  });
}

function withUrl(response: Response, url: URL): Response {
  Object.defineProperty(response, 'url', { value: url.toString() });
  return response;
}

/** Adapts the guarded client to openid-client's `customFetch` (same signature as fetch). */
export function openidCustomFetch(guardedFetch: GuardedFetch, policy: OutboundPolicy) {
  return (
    url: string,
    options: {
      method: string;
      headers: Record<string, string>;
      body?: unknown;
      redirect?: 'manual';
      signal?: AbortSignal;
    },
  ) =>
    guardedFetch(
      url,
      {
        method: options.method,
        headers: options.headers,
        body: options.body as GuardedRequestInit['body'],
        redirect: options.redirect ?? 'manual',
        signal: options.signal ?? null,
      },
      policy,
    );
}
