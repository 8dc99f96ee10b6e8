// The console-API axios instance (same origin; the dev server proxies /api). This and
// the other modules in src/api/ are the only places that import axios.
//
// Invariants:
// - every state-changing request carries the session's CSRF token (`x-csrf-token`);
// - every failure is rejected as an ApiError with a stable `code` (never an AxiosError);
// - a 401 on anything but the session probe / login means the session ended: listeners
//   registered with onSessionExpired() are told once per occurrence.
import axios, { type AxiosError, type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';

export type ApiErrorCode =
  | 'UNAUTHENTICATED'
  | 'SESSION_EXPIRED'
  | 'INVALID_CREDENTIALS'
  | 'FORBIDDEN'
  | 'CSRF_INVALID'
  | 'NOT_FOUND'
  | 'VALIDATION_FAILED'
  | 'INVALID_FILTER'
  | 'INVALID_PATH'
  | 'UNSUPPORTED_BY_PROVIDER'
  | 'URL_NOT_ALLOWED'
  | 'CONFLICT'
  | 'ALREADY_REPORTED'
  | 'TOKEN_MISSING'
  | 'TOKEN_REVOKED'
  | 'TOKEN_INVALID'
  | 'TOKEN_EXPIRED'
  | 'RATE_LIMITED'
  | 'PAYLOAD_TOO_LARGE'
  | 'PROVIDER_UNREACHABLE'
  | 'PROVIDER_ERROR'
  | 'DATABASE_UNAVAILABLE'
  | 'INTERNAL'
  // Client-side codes: no answer at all, the request was cancelled, or the answer was not the API's shape.
  | 'NETWORK_ERROR'
  | 'TIMEOUT'
  | 'CANCELLED'
  | 'HTTP_ERROR';

export interface ApiErrorDetails {
  field?: string;
  position?: number;
  scimType?: string;
  retryAfter?: number;
  [key: string]: unknown;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ApiErrorCode | (string & {});
  /** HTTP status; 0 when no answer arrived (network, CORS, timeout, cancel). */
  readonly status: number;
  readonly details: ApiErrorDetails | undefined;

  constructor(code: string, message: string, status: number, details?: ApiErrorDetails) {
    super(message);
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

/** Where the session's CSRF token lives: memory only, set by the session provider. */
let csrfToken: string | null = null;
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}
export function getCsrfToken(): string | null {
  return csrfToken;
}

type SessionExpiredListener = (error: ApiError) => void;
const sessionExpiredListeners = new Set<SessionExpiredListener>();
export function onSessionExpired(listener: SessionExpiredListener): () => void {
  sessionExpiredListeners.add(listener);
  return () => sessionExpiredListeners.delete(listener);
}

const UNSAFE_METHODS = new Set(['post', 'put', 'patch', 'delete']);
/** Calls whose 401 is an answer, not a lost session. */
const SESSION_PROBES = ['/api/auth/me', '/api/auth/login'];

const FALLBACK_MESSAGES: Record<number, string> = {
  400: 'The request was not accepted.',
  401: 'You are not signed in.',
  403: 'You do not have permission to do this.',
  404: 'Not found.',
  409: 'The request conflicts with the current state.',
  413: 'The request is too large.',
  429: 'Too many requests. Wait a moment and try again.',
  500: 'The server failed. Try again; if it persists, tell your administrator.',
  502: 'The server could not reach the provider.',
  503: 'The service is unavailable. Try again shortly.',
};

function isErrorBody(
  data: unknown,
): data is { error: { code: string; message: string; details?: ApiErrorDetails } } {
  if (typeof data !== 'object' || data === null || !('error' in data)) return false;
  const error = (data as { error: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

/** Normalises anything thrown by an http call into an ApiError. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (axios.isCancel(e)) return new ApiError('CANCELLED', 'The request was cancelled.', 0);
  if (axios.isAxiosError(e)) {
    const err = e as AxiosError;
    if (err.response) {
      const { status, data, headers } = err.response;
      if (isErrorBody(data)) {
        const details = { ...(data.error.details ?? {}) };
        const retryAfter = Number(headers?.['retry-after']);
        if (details.retryAfter === undefined && Number.isFinite(retryAfter) && retryAfter > 0) {
          details.retryAfter = retryAfter;
        }
        return new ApiError(
          data.error.code,
          data.error.message,
          status,
          Object.keys(details).length > 0 ? details : undefined,
        );
      }
      const message = FALLBACK_MESSAGES[status] ?? `The server answered with HTTP ${status}.`;
      return new ApiError(
        status === 429 ? 'RATE_LIMITED' : status >= 500 ? 'INTERNAL' : 'HTTP_ERROR',
        message,
        status,
      );
    }
    if (err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT') {
      return new ApiError('TIMEOUT', 'The server did not answer in time. Try again.', 0);
    }
    return new ApiError(
      'NETWORK_ERROR',
      'Cannot reach the SCIM Console server. Check your connection and try again.',
      0,
    );
  }
  if (e instanceof Error) return new ApiError('INTERNAL', e.message, 0);
  return new ApiError('INTERNAL', 'Something went wrong.', 0);
}

function isSessionProbe(config: InternalAxiosRequestConfig | undefined): boolean {
  const url = config?.url ?? '';
  return SESSION_PROBES.some((p) => url === p || url.startsWith(`${p}?`));
}

type RetriableConfig = InternalAxiosRequestConfig & { csrfRetried?: boolean };

function createHttp(): AxiosInstance {
  const instance = axios.create({
    baseURL: '',
    withCredentials: true,
    timeout: 30_000,
    headers: { Accept: 'application/json' },
  });
  instance.interceptors.request.use((config) => {
    if (csrfToken && UNSAFE_METHODS.has((config.method ?? 'get').toLowerCase())) {
      config.headers.set('x-csrf-token', csrfToken);
    }
    return config;
  });
  instance.interceptors.response.use(
    (response) => response,
    async (e: unknown) => {
      const error = toApiError(e);
      const config = axios.isAxiosError(e) ? (e.config as RetriableConfig | undefined) : undefined;
      // The session is alive but its CSRF token changed (another tab signed in again, or the
      // server rotated it): fetch the current one and retry the request once.
      if (
        error.code === 'CSRF_INVALID' &&
        config &&
        !config.csrfRetried &&
        !isSessionProbe(config)
      ) {
        try {
          const { data } = await instance.get<{ csrfToken: string }>('/api/auth/me');
          setCsrfToken(data.csrfToken);
          return await instance.request({ ...config, csrfRetried: true } as RetriableConfig);
        } catch (retryError) {
          return Promise.reject(toApiError(retryError));
        }
      }
      if (error.status === 401 && !isSessionProbe(config)) {
        const expired =
          error.code === 'SESSION_EXPIRED' || error.code === 'UNAUTHENTICATED'
            ? error
            : new ApiError('SESSION_EXPIRED', 'Your session has expired. Sign in again.', 401);
        for (const listener of [...sessionExpiredListeners]) listener(expired);
      }
      return Promise.reject(error);
    },
  );
  return instance;
}

export const http: AxiosInstance = createHttp();
