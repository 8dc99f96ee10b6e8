import { describe, expect, it } from 'vitest';
import { countBy, countOverTime, NONE_LABEL, OTHER_LABEL } from './chart-data';

describe('chart data', () => {
  it('counts by attribute with top N and "Other", a multi-valued value once per row', () => {
    const rows = [
      { d: 'Sales', emails: [{ type: 'work' }, { type: 'work' }] },
      { d: 'Sales' },
      { d: 'IT' },
      { d: 'HR' },
      {},
    ].map((r) => ({
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: r.d },
      emails: r.emails,
    }));
    expect(
      countBy(rows, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', 2),
    ).toEqual({
      labels: ['Sales', NONE_LABEL, OTHER_LABEL],
      counts: [2, 1, 2],
    });
    expect(countBy(rows, 'emails.type', 5).labels).toEqual([NONE_LABEL, 'work']);
    expect(countBy(rows, 'emails.type', 5).counts).toEqual([4, 1]);
  });

  it('counts per month with the empty months in between', () => {
    const rows = [
      { meta: { created: '2025-11-03T10:00:00Z' } },
      { meta: { created: '2026-01-20T10:00:00Z' } },
      { meta: { created: '2026-01-21T10:00:00Z' } },
      { meta: {} },
    ];
    expect(countOverTime(rows, 'meta.created', 'month')).toEqual({
      labels: ['2025-11', '2025-12', '2026-01'],
      counts: [1, 0, 2],
      missing: 1,
    });
    expect(countOverTime(rows, 'meta.created', 'year').counts).toEqual([1, 2]);
  });
});
