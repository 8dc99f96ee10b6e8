/** Request/response schemas of /api/logs, /api/logs/export and /api/logs/verify (docs/api.md). */
import { z } from 'zod';
import { AppError } from '../../lib/errors.ts';
import { AUDIT_ACTIONS, type AuditAction } from './audit.types.ts';

const isoDate = z
  .string()
  .trim()
  .max(40)
  .refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO 8601 date or date-time')
  .transform((v) => new Date(v).toISOString());

export const auditListQuery = z
  .object({
    scope: z.enum(['own', 'all']).default('own'),
    userId: z.string().min(1).max(64).optional(),
    connectionId: z.string().min(1).max(64).optional(),
    /** One action or a comma-separated list. */
    action: z
      .string()
      .max(1000)
      .transform((v, ctx) => {
        const list = v
          .split(',')
          .map((a) => a.trim())
          .filter(Boolean);
        const unknown = list.find((a) => !(AUDIT_ACTIONS as readonly string[]).includes(a));
        if (unknown !== undefined) {
          ctx.addIssue({ code: 'custom', message: `unknown action "${unknown.slice(0, 40)}"` });
          return z.NEVER;
        }
        return list as AuditAction[];
      })
      .optional(),
    outcome: z.enum(['success', 'failure']).optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    q: z.string().trim().max(200).optional(),
    cursor: z.string().max(100).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();
export type AuditListQuery = z.infer<typeof auditListQuery>;

export const auditExportQuery = auditListQuery
  .omit({ cursor: true, limit: true })
  .extend({ format: z.enum(['csv', 'ndjson']).default('csv') });

export const auditEventSchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  action: z.enum(AUDIT_ACTIONS),
  result: z.enum(['success', 'failure']),
  actor: z.object({ id: z.string(), username: z.string() }).nullable(),
  token: z.object({ fingerprint: z.string(), version: z.number().int().nullable() }).nullable(),
  connectionId: z.string().nullable(),
  queryId: z.string().nullable(),
  request: z
    .object({
      method: z.string(),
      path: z.string(),
      params: z.record(z.string(), z.string()),
      filter: z.string().nullable(),
    })
    .nullable(),
  outcome: z
    .object({
      status: z.number().int(),
      resultCount: z.number().int().nullable(),
      durationMs: z.number().int().nullable(),
      error: z.object({ code: z.string(), message: z.string() }).nullable(),
    })
    .nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  prevHash: z.string(),
  hash: z.string(),
});

export const verifyQuery = z
  .object({
    /** Incremental check: resume after a lastSeq/lastHash pair returned by an earlier verification. */
    afterSeq: z.coerce.number().int().min(1).optional(),
    afterHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'must be a 64-character hex hash')
      .optional(),
  })
  .strict()
  .refine((q) => (q.afterSeq === undefined) === (q.afterHash === undefined), {
    message: 'afterSeq and afterHash go together',
    path: ['afterHash'],
  });

export const auditListResponse = z.object({
  events: z.array(auditEventSchema),
  nextCursor: z.string().nullable(),
});

export const verifyResponse = z.union([
  z.object({
    ok: z.literal(true),
    checked: z.number().int(),
    lastSeq: z.number().int().nullable(),
    lastHash: z.string().nullable(),
  }),
  z.object({
    ok: z.literal(false),
    checked: z.number().int(),
    brokenAt: z.number().int(),
    reason: z.enum(['hash_mismatch', 'prev_hash_mismatch', 'seq_gap']),
    message: z.string(),
  }),
]);

// The cursor is opaque to clients: "s" + the last seq seen, base64url-encoded.
export function encodeCursor(seq: number): string {
  return Buffer.from(`s${seq}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^s([1-9]\d{0,15})$/.exec(text);
  if (!match)
    throw new AppError('VALIDATION_FAILED', 'cursor is not a cursor returned by this API', {
      field: 'query.cursor',
    });
  return Number(match[1]);
}
