// Links that open the Query page pre-filled (web-contract: `/?input=<base64url JSON>` or
// `/?saved=<id>`), and the reconstruction of a query's input from its audit event.
import type { AuditEvent } from '../../api/types';

export function encodeBase64UrlJson(value: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeBase64UrlJson(text: string): unknown {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
}

export function reopenUrl(input: Record<string, unknown>): string {
  return `/?input=${encodeBase64UrlJson(input)}`;
}

export function savedQueryUrl(id: string): string {
  return `/?${new URLSearchParams({ saved: id })}`;
}

const LIST_PARAMS = ['attributes', 'excludedAttributes'] as const;

/**
 * The scim-query body that produced a `query.generated` event, rebuilt from what the
 * audit trail keeps (request path and parameters, canonical filter, preset id). Users
 * without free filters get the preset back instead of its expanded filter.
 */
export function inputFromEvent(
  event: AuditEvent,
  canFreeFilter: boolean,
): Record<string, unknown> | null {
  if (!event.connectionId || !event.request) return null;
  const params = event.request.params ?? {};
  const details = event.details ?? {};
  const resourceType =
    typeof details.resourceType === 'string'
      ? details.resourceType
      : event.request.path.replace(/\/\.search$/, '');
  const input: Record<string, unknown> = { connectionId: event.connectionId, resourceType };
  const presetId = typeof details.presetId === 'string' ? details.presetId : null;
  if (details.source === 'preset' && presetId && !canFreeFilter) {
    input.preset = { id: presetId, params: {} };
  } else if (event.request.filter) {
    input.filter = event.request.filter;
  }
  for (const key of LIST_PARAMS) {
    const value = params[key];
    if (value)
      input[key] = value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
  }
  if (params.sortBy) input.sortBy = params.sortBy;
  if (params.sortOrder === 'ascending' || params.sortOrder === 'descending')
    input.sortOrder = params.sortOrder;
  const count = Number(params.count);
  if (params.count !== undefined && Number.isInteger(count) && count >= 0) input.count = count;
  // The method is left to 'auto': the Query page picks GET or POST /.search again.
  return input;
}
