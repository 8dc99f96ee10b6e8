// The one axios instance that talks to SCIM service providers (directly with the
// user's bearer token, or through the console's relay). Interceptors attach the
// credential, refresh it once on 401 and honour Retry-After on 429; everything
// that goes wrong becomes a ScimRequestError that says what happened and what to do.
//
// The token never leaves this module except in the Authorization header: it is not
// logged, not put in error messages and not stored anywhere but the in-memory store.
import { getCsrfToken } from './http';
import { getToken, refreshToken } from '../token-store/token-store';
import axios, {
  type AxiosError,
  type AxiosInstance,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';

export type ScimFailureKind =
  | 'unauthorized' // the provider refused the token even after one refresh
  | 'reconnect' // the backend cannot refresh the credential (revoked/missing/invalid)
  | 'rate-limited' // 429 and the Retry-After budget is spent
  | 'network' // no answer: CORS, DNS, provider down, console down
  | 'timeout'
  | 'cancelled'
  | 'scim' // a SCIM error body (RFC 7644 §3.12)
  | 'malformed' // the answer is not JSON
  | 'http'; // any other non-2xx

export interface ScimRequestErrorInit {
  kind: ScimFailureKind;
  status: number;
  title: string;
  message: string;
  hint?: string;
  scimType?: string;
  detail?: string;
  link?: { href: string; label: string };
}

/** A failed SCIM call, in words a person understands. `code` is stable for the outcome log. */
export class ScimRequestError extends Error implements ScimRequestErrorInit {
  override readonly name = 'ScimRequestError';
  readonly kind: ScimFailureKind;
  readonly status: number;
  readonly title: string;
  readonly hint?: string;
  readonly scimType?: string;
  readonly detail?: string;
  readonly link?: { href: string; label: string };

  constructor(init: ScimRequestErrorInit) {
    super(init.message);
    this.kind = init.kind;
    this.status = init.status;
    this.title = init.title;
    this.hint = init.hint;
    this.scimType = init.scimType;
    this.detail = init.detail;
    this.link = init.link;
  }

  get code(): string {
    return `SCIM_${this.kind.toUpperCase().replace('-', '_')}`;
  }
}

/** Where credentials come from; the app wires this to the in-memory token store and the session. */
export interface ScimCredentialSource {
  getToken(connectionId: string): Promise<{ accessToken: string } | null>;
  /** Refreshes through the backend; throws an error with `code` TOKEN_REVOKED/TOKEN_MISSING/TOKEN_INVALID when it cannot. */
  /** `rejectedAccessToken`: the token the provider just refused, so a different one comes back. */
  refreshToken(
    connectionId: string,
    rejectedAccessToken?: string,
  ): Promise<{ accessToken: string }>;
  getCsrfToken(): string | null;
}

export interface ScimRequestSpec {
  connectionId: string;
  mode: 'direct' | 'relay';
  method: 'GET' | 'POST';
  /** Absolute provider URL (direct) or the console relay path (relay). */
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RateLimitWait {
  attempt: number;
  /** Seconds left before the retry; called again as the countdown runs. */
  secondsLeft: number;
}

export interface SendOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  onRateLimitWait?: (wait: RateLimitWait | null) => void;
}

export interface ScimResponse {
  status: number;
  data: unknown;
  headers: Record<string, string>;
  durationMs: number;
}

export interface ScimClientLimits {
  timeoutMs: number;
  /** Retries after a 429, at most. */
  maxRateLimitRetries: number;
  /** Total time spent waiting for Retry-After, at most. */
  maxRateLimitWaitMs: number;
  /** Wait when a 429 carries no (readable) Retry-After; doubled per attempt. */
  fallbackRetryAfterMs: number;
}

export const DEFAULT_SCIM_CLIENT_LIMITS: ScimClientLimits = {
  timeoutMs: 30_000,
  maxRateLimitRetries: 3,
  maxRateLimitWaitMs: 60_000,
  fallbackRetryAfterMs: 2_000,
};

interface ScimRequestMeta {
  connectionId: string;
  mode: 'direct' | 'relay';
  refreshed: boolean;
  /** The token obtained from the refresh, used for the one retry. */
  token?: string;
  rateLimitRetries: number;
  rateLimitWaitedMs: number;
  onRateLimitWait?: (wait: RateLimitWait | null) => void;
}

type ScimAxiosConfig = InternalAxiosRequestConfig & { scimMeta?: ScimRequestMeta };

const RECONNECT_CODES = new Set([
  'TOKEN_REVOKED',
  'TOKEN_MISSING',
  'TOKEN_INVALID',
  'TOKEN_EXPIRED',
]);

/** Retry-After is delay-seconds or an HTTP date (RFC 9110 §10.2.3). Returns ms, or null when absent/unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | null {
  if (value == null) return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

function sleep(
  ms: number,
  signal: AbortSignal | undefined,
  onTick?: (msLeft: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new axios.CanceledError('cancelled'));
      return;
    }
    const end = Date.now() + ms;
    let tick: ReturnType<typeof setInterval> | undefined;
    const done = () => {
      clearTimeout(timer);
      if (tick) clearInterval(tick);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      done();
      reject(new axios.CanceledError('cancelled'));
    };
    const timer = setTimeout(() => {
      done();
      resolve();
    }, ms);
    if (onTick) {
      onTick(ms);
      tick = setInterval(() => onTick(Math.max(0, end - Date.now())), 250);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function errorCodeOf(e: unknown): string | undefined {
  if (e && typeof e === 'object') {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const data = (e as { response?: { data?: { error?: { code?: unknown } } } }).response?.data;
    if (typeof data?.error?.code === 'string') return data.error.code;
  }
  return undefined;
}

function reconnectError(status: number): ScimRequestError {
  return new ScimRequestError({
    kind: 'reconnect',
    status,
    title: 'Your SCIM token must be reconnected',
    message:
      'The console could not refresh your token for this connection: it was revoked, has expired or was never linked.',
    hint: 'Open the Tokens page and link the token again (paste a new one or connect with OAuth), then run the query again.',
    link: { href: '/tokens', label: 'Go to Tokens' },
  });
}

function hostOf(url: string): string {
  try {
    return new URL(url, globalThis.location?.href ?? 'http://localhost').host;
  } catch {
    return url;
  }
}

function parseBody(raw: unknown): { ok: true; value: unknown } | { ok: false } {
  if (raw == null || raw === '') return { ok: true, value: null };
  if (typeof raw !== 'string') return { ok: true, value: raw };
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false };
  }
}

function scimErrorFields(body: unknown): { detail?: string; scimType?: string } | null {
  if (!body || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  const schemas = Array.isArray(b.schemas) ? b.schemas : [];
  const isScimError =
    schemas.includes('urn:ietf:params:scim:api:messages:2.0:Error') ||
    ('detail' in b && 'status' in b);
  if (!isScimError) return null;
  return {
    detail: typeof b.detail === 'string' ? b.detail : undefined,
    scimType: typeof b.scimType === 'string' ? b.scimType : undefined,
  };
}

const SCIM_TYPE_HINTS: Record<string, string> = {
  invalidFilter:
    'The provider could not use this filter. Simplify it, or check the provider warnings for unsupported operators.',
  tooMany:
    'The query matches more resources than the provider will return. Add a filter or use a smaller page size.',
  invalidPath: 'An attribute path is not known to the provider. Pick attributes from the list.',
  invalidValue: 'A value has the wrong type or format for its attribute.',
  invalidSyntax:
    'The provider rejected the request syntax (often the page size or sort parameters).',
  invalidCursor: 'The paging cursor is no longer valid. Run the query again from the first page.',
  expiredCursor: 'The paging cursor has expired. Run the query again from the first page.',
  invalidCount: 'The page size is larger than the provider allows. Use a smaller page size.',
  sensitive: 'The provider refuses this request in a URL. Run it as POST /.search instead.',
};

/** Turns anything thrown by a request into a ScimRequestError. */
export function classifyScimError(
  e: unknown,
  spec: Pick<ScimRequestSpec, 'mode' | 'url'>,
): ScimRequestError {
  if (e instanceof ScimRequestError) return e;
  if (axios.isCancel(e)) {
    return new ScimRequestError({
      kind: 'cancelled',
      status: 0,
      title: 'Cancelled',
      message: 'You cancelled the request before the provider answered.',
    });
  }
  const err = e as AxiosError;
  if (err?.code === 'ECONNABORTED' || err?.code === 'ETIMEDOUT') {
    const seconds = Math.round(((err.config?.timeout ?? 0) as number) / 1000);
    return new ScimRequestError({
      kind: 'timeout',
      status: 0,
      title: 'The provider took too long',
      message: `No answer from ${hostOf(spec.url)} within ${seconds > 0 ? `${seconds} s` : 'the time limit'}.`,
      hint: 'Narrow the query with a filter, ask for fewer attributes (e.g. exclude group members) or a smaller page size, then try again.',
    });
  }
  const response = err?.response;
  if (!response) {
    if (spec.mode === 'relay') {
      return new ScimRequestError({
        kind: 'network',
        status: 0,
        title: 'The console server could not be reached',
        message:
          'The request to the console relay got no answer: you may be offline or the console server is down.',
        hint: 'Check your network connection and try again; if it keeps failing, tell your administrator.',
      });
    }
    return new ScimRequestError({
      kind: 'network',
      status: 0,
      title: 'No answer from the SCIM provider',
      message: `The browser got no usable answer from ${hostOf(spec.url)}. Most likely the provider does not allow calls from this console's address (CORS), or it is down or unreachable from your network.`,
      hint: 'Ask an administrator to switch this connection to relay mode (the console server then sends the request for you), or check that the provider is up.',
    });
  }
  const status = response.status;
  const parsed = parseBody(response.data);
  const body = parsed.ok ? parsed.value : null;
  const scim = scimErrorFields(body);
  const consoleError =
    spec.mode === 'relay' && body && typeof body === 'object' && 'error' in body
      ? ((body as { error?: { code?: string; message?: string } }).error ?? null)
      : null;

  if (status === 401) {
    if (
      consoleError &&
      (consoleError.code === 'UNAUTHENTICATED' || consoleError.code === 'SESSION_EXPIRED')
    ) {
      return new ScimRequestError({
        kind: 'http',
        status,
        title: 'Your console session has ended',
        message: 'Sign in again to continue.',
        link: { href: '/login', label: 'Sign in' },
      });
    }
    return new ScimRequestError({
      kind: 'unauthorized',
      status,
      title: 'Your token was rejected — reconnect',
      message: 'The provider refused your token even after it was refreshed.',
      hint: 'Open the Tokens page and reconnect (or paste a new token) for this connection.',
      detail: scim?.detail,
      link: { href: '/tokens', label: 'Go to Tokens' },
    });
  }
  if (status === 429) {
    return new ScimRequestError({
      kind: 'rate-limited',
      status,
      title: 'The provider is rate limiting you',
      message: 'The provider kept answering 429 Too Many Requests; the console stopped retrying.',
      hint: 'Wait a minute and run the query again, or fetch fewer pages at once.',
      detail: scim?.detail,
    });
  }
  if (consoleError) {
    return new ScimRequestError({
      kind: 'http',
      status,
      title: `The relay answered ${status}${consoleError.code ? ` (${consoleError.code})` : ''}`,
      message: consoleError.message ?? 'The console relay could not complete the request.',
      hint:
        consoleError.code === 'PROVIDER_UNREACHABLE'
          ? 'The console server could not reach the provider. Check that the provider is up.'
          : undefined,
    });
  }
  if (scim) {
    return new ScimRequestError({
      kind: 'scim',
      status,
      title: `The provider answered ${status}${scim.scimType ? ` (${scim.scimType})` : ''}`,
      message: scim.detail ?? `The provider returned a SCIM error with status ${status}.`,
      scimType: scim.scimType,
      detail: scim.detail,
      hint:
        (scim.scimType && SCIM_TYPE_HINTS[scim.scimType]) ??
        (status === 403
          ? 'Your token is valid but lacks the permission or scope for this request.'
          : status >= 500
            ? 'The provider failed. Try again later; if it persists, contact the provider.'
            : undefined),
    });
  }
  return new ScimRequestError({
    kind: 'http',
    status,
    title: `The provider answered ${status}${response.statusText ? ` ${response.statusText}` : ''}`,
    message:
      status === 403
        ? 'The provider refused the request: your token lacks the permission or scope for it.'
        : status === 404
          ? 'The provider has no such endpoint. The resource type may not be supported by this provider.'
          : status >= 500
            ? 'The provider failed to answer the request.'
            : `The provider refused the request with status ${status}.`,
    hint: status >= 500 ? 'Try again later; if it persists, contact the provider.' : undefined,
  });
}

export interface ScimClient {
  readonly instance: AxiosInstance;
  send(spec: ScimRequestSpec, options?: SendOptions): Promise<ScimResponse>;
}

export function createScimClient(
  credentials: ScimCredentialSource,
  limits: Partial<ScimClientLimits> = {},
): ScimClient {
  const lim: ScimClientLimits = { ...DEFAULT_SCIM_CLIENT_LIMITS, ...limits };
  const instance = axios.create({
    timeout: lim.timeoutMs,
    // Parse ourselves so that a body that is not JSON is reported, not silently kept as text.
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
  });

  instance.interceptors.request.use(async (config: ScimAxiosConfig) => {
    const meta = config.scimMeta;
    if (!meta) return config;
    if (meta.mode === 'direct') {
      config.withCredentials = false;
      const token = meta.token ?? (await credentials.getToken(meta.connectionId))?.accessToken;
      if (!token) throw reconnectError(0);
      config.headers.set('Authorization', `Bearer ${token}`);
    } else {
      // Relay: same origin; the session cookie authenticates, the CSRF header protects POSTs.
      config.withCredentials = true;
      const csrf = credentials.getCsrfToken();
      if (csrf) config.headers.set('x-csrf-token', csrf);
      config.headers.delete('Authorization');
    }
    return config;
  });

  instance.interceptors.response.use(undefined, async (error: unknown) => {
    if (!axios.isAxiosError(error) || !error.config || !error.response) throw error;
    const config = error.config as ScimAxiosConfig;
    const meta = config.scimMeta;
    if (!meta) throw error;
    const status = error.response.status;

    if (status === 401 && !meta.refreshed) {
      const body = parseBody(error.response.data);
      const consoleCode =
        body.ok && body.value && typeof body.value === 'object'
          ? (body.value as { error?: { code?: string } }).error?.code
          : undefined;
      if (consoleCode === 'UNAUTHENTICATED' || consoleCode === 'SESSION_EXPIRED') throw error;
      meta.refreshed = true;
      try {
        const sent = String(config.headers.get('Authorization') ?? '').replace(/^Bearer /, '');
        const refreshed = await credentials.refreshToken(
          meta.connectionId,
          meta.mode === 'direct' && sent ? sent : undefined,
        );
        meta.token = refreshed.accessToken;
      } catch (refreshError) {
        const code = errorCodeOf(refreshError);
        if (code && RECONNECT_CODES.has(code)) throw reconnectError(401);
        throw new ScimRequestError({
          kind: 'unauthorized',
          status: 401,
          title: 'Your token was rejected and could not be refreshed',
          message:
            'The provider refused your token and the console could not refresh it right now.',
          hint: 'Open the Tokens page and reconnect for this connection.',
          link: { href: '/tokens', label: 'Go to Tokens' },
        });
      }
      return instance.request(config);
    }

    if (status === 429 && meta.rateLimitRetries < lim.maxRateLimitRetries) {
      const header = error.response.headers?.['retry-after'] as string | undefined;
      const waitMs =
        parseRetryAfter(header) ?? lim.fallbackRetryAfterMs * 2 ** meta.rateLimitRetries;
      if (meta.rateLimitWaitedMs + waitMs > lim.maxRateLimitWaitMs) throw error;
      meta.rateLimitRetries += 1;
      meta.rateLimitWaitedMs += waitMs;
      const attempt = meta.rateLimitRetries;
      try {
        await sleep(waitMs, config.signal as AbortSignal | undefined, (msLeft) =>
          meta.onRateLimitWait?.({ attempt, secondsLeft: Math.ceil(msLeft / 1000) }),
        );
      } finally {
        meta.onRateLimitWait?.(null);
      }
      return instance.request(config);
    }
    throw error;
  });

  async function send(spec: ScimRequestSpec, options: SendOptions = {}): Promise<ScimResponse> {
    const started = performance.now();
    const meta: ScimRequestMeta = {
      connectionId: spec.connectionId,
      mode: spec.mode,
      refreshed: false,
      rateLimitRetries: 0,
      rateLimitWaitedMs: 0,
      onRateLimitWait: options.onRateLimitWait,
    };
    let response: AxiosResponse<unknown>;
    try {
      response = await instance.request({
        method: spec.method,
        url: spec.url,
        data: spec.body == null ? undefined : JSON.stringify(spec.body),
        headers: {
          Accept: 'application/scim+json, application/json',
          ...(spec.body != null ? { 'Content-Type': 'application/scim+json' } : {}),
          ...spec.headers,
        },
        signal: options.signal,
        timeout: options.timeoutMs ?? lim.timeoutMs,
        scimMeta: meta,
      } as ScimAxiosConfig);
    } catch (e) {
      throw classifyScimError(e, spec);
    }
    const parsed = parseBody(response.data);
    if (!parsed.ok) {
      const raw = String(response.data);
      throw new ScimRequestError({
        kind: 'malformed',
        status: response.status,
        title: 'The provider answered with something that is not JSON',
        message: `Status ${response.status}, but the body could not be read as JSON (it starts with "${raw.slice(0, 40).replace(/\s+/g, ' ')}").`,
        hint: 'Check that the connection base URL points at the SCIM API (e.g. …/scim/v2) and not at a login or proxy page.',
      });
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(response.headers ?? {})) {
      if (typeof v === 'string') headers[k.toLowerCase()] = v;
    }
    return {
      status: response.status,
      data: parsed.value,
      headers,
      durationMs: Math.round(performance.now() - started),
    };
  }

  return { instance, send };
}

/** The app's SCIM client: tokens from the in-memory store, CSRF from the session. */
export const scimClient: ScimClient = createScimClient({ getToken, refreshToken, getCsrfToken });
