// CSV and JSON export of loaded results. CSV is safe to open in a spreadsheet: a cell
// that starts with = + - @ TAB or CR is prefixed with ' so it is never run as a formula
// (OWASP "CSV injection"), and every cell is quoted as RFC 4180 requires.
import type { ScimResource } from './list-response';
import { formatValue, type ResultColumn } from './values';

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(text: string): string {
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) || /^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(
  columns: readonly Pick<ResultColumn, 'header' | 'get'>[],
  rows: readonly ScimResource[],
): string {
  const lines = [columns.map((c) => csvCell(c.header)).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvCell(formatValue(c.get(r)))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function toJson(rows: readonly ScimResource[]): string {
  return `${JSON.stringify(rows, null, 2)}\n`;
}

/** Saves text as a file through a Blob URL (nothing leaves the browser). */
export function downloadText(text: string, filename: string, type: string): void {
  const blob = new Blob([text], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

export function exportFilename(
  resourceType: string,
  ext: 'csv' | 'json',
  now = new Date(),
): string {
  const stamp = now.toISOString().replace(/[:]/g, '-').replace(/\..*$/, '');
  return `scim-${resourceType.replace(/[^\w-]/g, '').toLowerCase() || 'results'}-${stamp}.${ext}`;
}
