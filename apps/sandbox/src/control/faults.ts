export const FAULT_KINDS = ['429', '500', '503', 'delay', 'malformed', 'revoked', 'cors'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  readonly id: number;
  readonly kind: FaultKind;
  /** Requests still to be affected. */
  remaining: number;
  readonly retryAfter: number | undefined;
  readonly delayMs: number | undefined;
  /** Only requests whose path (relative to /scim/v2, or absolute) starts with this. */
  readonly paths: string | undefined;
}

export class FaultValidationError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

const MAX_DELAY_MS = 120_000;

/** The queue of injected failures; each SCIM request (not preflight) takes at most one. */
export class FaultQueue {
  #faults: Fault[] = [];
  #nextId = 1;

  add(input: unknown): Fault {
    if (!input || typeof input !== 'object' || Array.isArray(input)) {
      throw new FaultValidationError(
        'body',
        'Expected a JSON object like {"kind":"429","count":1}',
      );
    }
    const body = input as Record<string, unknown>;
    const kind = String(body.kind ?? '');
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
      throw new FaultValidationError('kind', `kind must be one of ${FAULT_KINDS.join(', ')}`);
    }
    const count = body.count === undefined ? 1 : Number(body.count);
    if (!Number.isInteger(count) || count < 1 || count > 10_000) {
      throw new FaultValidationError('count', 'count must be an integer from 1 to 10000');
    }
    const retryAfter = body.retryAfter === undefined ? undefined : Number(body.retryAfter);
    if (
      retryAfter !== undefined &&
      (!Number.isInteger(retryAfter) || retryAfter < 0 || retryAfter > 86_400)
    ) {
      throw new FaultValidationError(
        'retryAfter',
        'retryAfter must be whole seconds from 0 to 86400',
      );
    }
    const delayMs = body.delayMs === undefined ? undefined : Number(body.delayMs);
    if (
      delayMs !== undefined &&
      (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > MAX_DELAY_MS)
    ) {
      throw new FaultValidationError(
        'delayMs',
        `delayMs must be whole milliseconds from 0 to ${MAX_DELAY_MS}`,
      );
    }
    if (
      body.paths !== undefined &&
      (typeof body.paths !== 'string' || !body.paths.startsWith('/'))
    ) {
      throw new FaultValidationError(
        'paths',
        'paths must be a path prefix starting with "/", e.g. "/Users"',
      );
    }
    const fault: Fault = {
      id: this.#nextId++,
      kind: kind as FaultKind,
      remaining: count,
      retryAfter,
      delayMs,
      paths: body.paths as string | undefined,
    };
    this.#faults.push(fault);
    return fault;
  }

  list(): readonly Fault[] {
    return this.#faults;
  }

  clear(): void {
    this.#faults = [];
  }

  /** Take one use of the first fault that applies to this request, if any. */
  take(relativePath: string, absolutePath: string): Fault | undefined {
    const fault = this.#faults.find(
      (f) => !f.paths || relativePath.startsWith(f.paths) || absolutePath.startsWith(f.paths),
    );
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining <= 0) this.#faults = this.#faults.filter((f) => f !== fault);
    return { ...fault };
  }
}
