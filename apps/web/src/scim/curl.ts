// "Copy as curl": the generated request as a shell command. The Authorization header
// always reads $SCIM_TOKEN (expanded by the user's shell); the real token is never
// part of the text, whatever the request's headers hold.
import type { GeneratedQuery } from '../api/scim-query';

/** POSIX single-quoting: safe for any text. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function toCurl(q: Pick<GeneratedQuery, 'method' | 'url' | 'body' | 'execution'>): string {
  const lines = [`curl -sS -X ${q.method} ${shellQuote(q.url)}`];
  lines.push(`-H "Authorization: Bearer $SCIM_TOKEN"`);
  const headers = {
    Accept: 'application/scim+json',
    ...(q.body ? { 'Content-Type': 'application/scim+json' } : {}),
    ...q.execution.headers,
  };
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'authorization' || lower === 'cookie' || lower === 'x-csrf-token') continue;
    lines.push(`-H ${shellQuote(`${name}: ${value}`)}`);
  }
  if (q.body) lines.push(`--data-raw ${shellQuote(JSON.stringify(q.body))}`);
  return lines.join(' \\\n  ');
}
