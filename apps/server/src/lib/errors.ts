/**
 * The closed set of error codes of the console API (docs/api.md) and the one error class
 * every layer throws. The error plugin maps `code` → HTTP status and renders
 * `{ error: { code, message, details } }`; nothing else reaches the client.
 */

export const ERROR_STATUS = {
  UNAUTHENTICATED: 401,
  SESSION_EXPIRED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  CSRF_INVALID: 403,
  NOT_FOUND: 404,
  VALIDATION_FAILED: 400,
  INVALID_FILTER: 400,
  INVALID_PATH: 400,
  UNSUPPORTED_BY_PROVIDER: 400,
  URL_NOT_ALLOWED: 400,
  CONFLICT: 409,
  ALREADY_REPORTED: 409,
  TOKEN_MISSING: 404,
  TOKEN_REVOKED: 409,
  TOKEN_INVALID: 409,
  TOKEN_EXPIRED: 409,
  RATE_LIMITED: 429,
  PAYLOAD_TOO_LARGE: 413,
  PROVIDER_UNREACHABLE: 502,
  PROVIDER_ERROR: 502,
  DATABASE_UNAVAILABLE: 503,
  INTERNAL: 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value);
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  /** HTTP status for this error (one mapping, here). */
  get statusCode(): number {
    return ERROR_STATUS[this.code];
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
