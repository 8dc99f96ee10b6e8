import { toApiError } from '../api/http';

/**
 * Per-field messages from a VALIDATION_FAILED answer: `details.field` ("body.oauth.clientId")
 * and `details.issues[]`, keyed by the path inside the body ("oauth.clientId"; array
 * indexes dropped so "grants.roles.0" lands on "grants.roles").
 */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!error) return {};
  const e = toApiError(error);
  const out: Record<string, string> = {};
  const key = (field: string) =>
    field
      .replace(/^body\.?/, '')
      .split('.')
      .filter((part) => !/^\d+$/.test(part))
      .join('.');
  const issues = Array.isArray(e.details?.issues)
    ? (e.details.issues as { field?: unknown; message?: unknown }[])
    : [];
  for (const issue of issues) {
    if (typeof issue.field === 'string')
      out[key(issue.field)] ??= String(issue.message ?? 'is invalid');
  }
  if (typeof e.details?.field === 'string') {
    const k = key(e.details.field);
    // The top-level message often repeats the field ("body.baseUrl: is required"): keep the reason only.
    out[k] ??= e.message.replace(
      new RegExp(`^${e.details.field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\s*`),
      '',
    );
  }
  return out;
}
