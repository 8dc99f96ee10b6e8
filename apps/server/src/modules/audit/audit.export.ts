// CSV and NDJSON renderings of audit events, produced line by line for streaming.
//
// CSV follows RFC 4180 (CRLF line ends, fields quoted when they contain a quote, comma, CR or
// LF, quotes doubled) and is safe to open in a spreadsheet: a text cell starting with one of
// = + - @ TAB CR is prefixed with a single quote so it is shown as text, never run as a
// formula (OWASP "CSV injection"). Numbers we produce are written as numbers.
import type { AuditEvent } from './audit.types.ts';

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const CSV_COLUMNS = [
  'seq',
  'at',
  'action',
  'result',
  'actor_id',
  'actor_username',
  'connection_id',
  'query_id',
  'token_fingerprint',
  'token_version',
  'request_method',
  'request_path',
  'request_params',
  'request_filter',
  'outcome_status',
  'outcome_result_count',
  'outcome_duration_ms',
  'outcome_error_code',
  'outcome_error_message',
  'details',
  'ip',
  'user_agent',
  'request_id',
  'prev_hash',
  'hash',
] as const;

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

export function csvRow(e: AuditEvent): string {
  const cells = [
    e.seq,
    e.at,
    e.action,
    e.result,
    e.actor?.id,
    e.actor?.username,
    e.connectionId,
    e.queryId,
    e.token?.fingerprint,
    e.token?.version,
    e.request?.method,
    e.request?.path,
    e.request ? JSON.stringify(e.request.params) : null,
    e.request?.filter,
    e.outcome?.status,
    e.outcome?.resultCount,
    e.outcome?.durationMs,
    e.outcome?.error?.code,
    e.outcome?.error?.message,
    e.details ? JSON.stringify(e.details) : null,
    e.ip,
    e.userAgent,
    e.requestId,
    e.prevHash,
    e.hash,
  ];
  return `${cells.map(csvCell).join(',')}\r\n`;
}

export function ndjsonRow(e: AuditEvent): string {
  return `${JSON.stringify(e)}\n`;
}

export async function* renderExport(
  events: AsyncIterable<AuditEvent>,
  format: 'csv' | 'ndjson',
): AsyncGenerator<string> {
  if (format === 'csv') yield csvHeader();
  // Several rows per chunk: fewer, larger writes to the socket.
  let buffer = '';
  for await (const e of events) {
    buffer += format === 'csv' ? csvRow(e) : ndjsonRow(e);
    if (buffer.length >= 64 * 1024) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer) yield buffer;
}
