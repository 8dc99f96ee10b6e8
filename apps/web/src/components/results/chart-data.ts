// Counting loaded rows for the charts (kept apart from Chart.js so it is cheap to test).
import type { ScimResource } from '../../scim/list-response';
import { formatValue, getAttribute } from '../../scim/values';

export const NONE_LABEL = '(no value)';
export const OTHER_LABEL = 'Other';

/** Counts per value of an attribute; a multi-valued attribute counts each value once per row. */
export function countBy(
  rows: readonly ScimResource[],
  path: string,
  topN: number,
): { labels: string[]; counts: number[] } {
  const counts = new Map<string, number>();
  for (const row of rows) {
    const v = getAttribute(row, path);
    const values = Array.isArray(v) ? [...new Set(v.map((x) => formatValue(x)))] : [formatValue(v)];
    if (values.length === 0) values.push('');
    for (const value of values) {
      const key = value === '' ? NONE_LABEL : value;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const top = sorted.slice(0, topN);
  const rest = sorted.slice(topN).reduce((n, [, c]) => n + c, 0);
  if (rest > 0) top.push([OTHER_LABEL, rest]);
  return { labels: top.map(([k]) => k), counts: top.map(([, c]) => c) };
}

/** Rows per month or year of a dateTime attribute, in time order, with empty periods filled in. */
export function countOverTime(
  rows: readonly ScimResource[],
  path: string,
  unit: 'month' | 'year',
): { labels: string[]; counts: number[]; missing: number } {
  const counts = new Map<string, number>();
  let missing = 0;
  for (const row of rows) {
    const v = getAttribute(row, path);
    const t = typeof v === 'string' ? Date.parse(v) : NaN;
    if (Number.isNaN(t)) {
      missing += 1;
      continue;
    }
    const d = new Date(t);
    const key =
      unit === 'year'
        ? `${d.getUTCFullYear()}`
        : `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const keys = [...counts.keys()].sort();
  if (keys.length === 0) return { labels: [], counts: [], missing };
  const labels: string[] = [];
  const first = keys[0]!;
  const last = keys[keys.length - 1]!;
  if (unit === 'year') {
    for (let y = Number(first); y <= Number(last); y++) labels.push(String(y));
  } else {
    let [y, m] = first.split('-').map(Number) as [number, number];
    const [ly, lm] = last.split('-').map(Number) as [number, number];
    while (y < ly || (y === ly && m <= lm)) {
      labels.push(`${y}-${String(m).padStart(2, '0')}`);
      m += 1;
      if (m > 12) {
        m = 1;
        y += 1;
      }
      if (labels.length > 600) break;
    }
  }
  return { labels, counts: labels.map((l) => counts.get(l) ?? 0), missing };
}
