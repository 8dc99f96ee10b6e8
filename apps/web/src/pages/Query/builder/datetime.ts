// dateTime values: SCIM wants ISO 8601 instants; people type local date and time.
function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** ISO instant → the value of a datetime-local input, in the browser's time zone. */
export function isoToLocalInput(iso: unknown): string {
  if (typeof iso !== 'string' || iso === '') return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A datetime-local value (browser time zone) → an ISO 8601 instant in UTC, as SCIM expects. */
export function localInputToIso(local: string): string {
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().replace(/\.000Z$/, 'Z');
}
