import { describe, expect, it } from 'vitest';
import type { GeneratedQuery } from '../api/scim-query';
import { toCurl } from './curl';
import { csvCell, toCsv } from './export';
import { defaultColumns, formatValue, getAttribute } from './values';

describe('CSV export', () => {
  it('neutralises cells that a spreadsheet would run as formulas', () => {
    for (const evil of ['=HYPERLINK("http://x")', '+1+2', '-2+3', '@SUM(A1)', '\tx', '\rx']) {
      const cell = csvCell(evil);
      expect(cell.replace(/^"/, '').startsWith("'")).toBe(true);
    }
    expect(csvCell('alice')).toBe('alice');
  });

  it('quotes commas, quotes and newlines and joins multi-valued values', () => {
    const rows = [
      {
        userName: 'a,b',
        displayName: 'say "hi"\nbye',
        emails: [
          { value: 'home@x', type: 'home' },
          { value: 'alice@x', type: 'work', primary: true },
        ],
      },
    ];
    const csv = toCsv(
      [
        { header: 'userName', get: (r) => r.userName },
        { header: 'displayName', get: (r) => r.displayName },
        { header: 'emails', get: (r) => r.emails },
      ],
      rows,
    );
    expect(csv).toBe(
      'userName,displayName,emails\r\n"a,b","say ""hi""\nbye","alice@x (work, primary); home@x (home)"\r\n',
    );
  });
});

describe('values', () => {
  it('reads extension, sub-attribute and case-insensitive paths', () => {
    const r = {
      UserName: 'bob',
      name: { givenName: 'Bob' },
      emails: [{ value: 'b@x' }, { value: 'c@x' }],
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': {
        department: 'Sales',
        manager: { value: 'm1' },
      },
    };
    expect(getAttribute(r, 'userName')).toBe('bob');
    expect(getAttribute(r, 'name.givenName')).toBe('Bob');
    expect(getAttribute(r, 'emails.value')).toEqual(['b@x', 'c@x']);
    expect(
      getAttribute(r, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department'),
    ).toBe('Sales');
    expect(
      getAttribute(r, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value'),
    ).toBe('m1');
  });

  it('default user columns show the formatted name or the given and family names', () => {
    const cols = defaultColumns('User');
    const name = cols.find((c) => c.id === 'name')!;
    expect(formatValue(name.get({ name: { givenName: 'Ada', familyName: 'Lovelace' } }))).toBe(
      'Ada Lovelace',
    );
    expect(cols.map((c) => c.header)).toContain('department');
  });
});

describe('copy as curl', () => {
  const q: Pick<GeneratedQuery, 'method' | 'url' | 'body' | 'execution'> = {
    method: 'POST',
    url: 'https://scim.example.com/scim/v2/Users/.search',
    body: { filter: `userName eq "o'brien"` },
    execution: {
      mode: 'direct',
      baseUrl: 'https://scim.example.com/scim/v2',
      relayUrl: null,
      headers: { Accept: 'application/scim+json', Authorization: 'Bearer real-secret-token' },
    },
  };

  it('uses the $SCIM_TOKEN placeholder and never the real token', () => {
    const curl = toCurl(q);
    expect(curl).toContain('-H "Authorization: Bearer $SCIM_TOKEN"');
    expect(curl).not.toContain('real-secret-token');
    expect(curl.match(/Authorization/g)).toHaveLength(1);
  });

  it('quotes the body safely for a POSIX shell', () => {
    expect(toCurl(q)).toContain(`--data-raw '{"filter":"userName eq \\"o'\\''brien\\""}'`);
  });
});
