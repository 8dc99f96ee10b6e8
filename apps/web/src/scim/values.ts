// Reading attribute values out of SCIM resources and writing them for people:
// multi-valued and complex values become one readable line ("alice@x (work, primary)").
import type { ScimResource } from './list-response';

export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** Attribute names are case-insensitive (RFC 7643 §2.1). */
function getKey(obj: unknown, key: string): unknown {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const rec = obj as Record<string, unknown>;
  if (key in rec) return rec[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(rec)) if (k.toLowerCase() === lower) return rec[k];
  return undefined;
}

/** Splits 'urn:…:User:manager.value' into the schema URN and 'manager.value'. */
export function splitUrnPath(path: string): { uri: string | null; rest: string } {
  if (!path.toLowerCase().startsWith('urn:')) return { uri: null, rest: path };
  const dot = path.indexOf('.', path.lastIndexOf(':'));
  const head = dot === -1 ? path : path.slice(0, dot);
  const colon = head.lastIndexOf(':');
  return { uri: path.slice(0, colon), rest: path.slice(colon + 1) };
}

/** The value at an attribute path; a sub-attribute of a multi-valued attribute gives an array. */
export function getAttribute(resource: ScimResource, path: string): unknown {
  const { uri, rest } = splitUrnPath(path);
  let base: unknown = resource;
  if (uri) {
    base = getKey(resource, uri);
    if (base === undefined) return undefined;
  }
  const [attr, sub] = rest.split('.', 2) as [string, string | undefined];
  const v = getKey(base, attr);
  if (sub === undefined) return v;
  if (Array.isArray(v)) return v.map((item) => getKey(item, sub)).filter((x) => x !== undefined);
  return getKey(v, sub);
}

function rank(item: Record<string, unknown>): number {
  const type = typeof item.type === 'string' ? item.type.toLowerCase() : '';
  return (type === 'work' ? 0 : 2) + (item.primary === true ? 0 : 1);
}

function formatComplex(item: Record<string, unknown>): string {
  const main =
    (['value', 'display', 'formatted', 'displayName', 'name'] as const)
      .map((k) => item[k])
      .find((v) => typeof v === 'string' || typeof v === 'number') ?? null;
  const tags: string[] = [];
  if (typeof item.type === 'string') tags.push(item.type);
  if (item.primary === true) tags.push('primary');
  if (main !== null) {
    const label =
      typeof item.display === 'string' && item.display !== main
        ? `${item.display} <${String(main)}>`
        : String(main);
    return tags.length ? `${label} (${tags.join(', ')})` : label;
  }
  // e.g. an address without `formatted`, or `name` without `formatted`.
  const parts = Object.entries(item)
    .filter(
      ([k, v]) =>
        k !== 'type' && k !== 'primary' && (typeof v === 'string' || typeof v === 'number'),
    )
    .map(([, v]) => String(v));
  const text = parts.join(' ');
  return tags.length ? `${text} (${tags.join(', ')})` : text;
}

/** One readable line for any attribute value; lists are joined with "; ", work/primary first. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const items = value.filter((v) => v !== null && v !== undefined);
    const complex = items.every((v) => typeof v === 'object' && !Array.isArray(v));
    const sorted = complex
      ? [...(items as Record<string, unknown>[])].sort((a, b) => rank(a) - rank(b))
      : items;
    return sorted.map(formatValue).join('; ');
  }
  if (typeof value === 'object') return formatComplex(value as Record<string, unknown>);
  return String(value);
}

export interface ResultColumn {
  id: string;
  header: string;
  /** The attribute path it shows (also what sorting and CSV use). */
  path: string;
  get: (r: ScimResource) => unknown;
}

function pathColumn(path: string, header?: string): ResultColumn {
  const { rest } = splitUrnPath(path);
  return { id: path, header: header ?? rest, path, get: (r) => getAttribute(r, path) };
}

/** Columns for a set of attribute paths; 'name' becomes name.formatted when that is what was asked for. */
export function columnsForPaths(paths: string[]): ResultColumn[] {
  return paths.map((p) => pathColumn(p));
}

/** Sensible columns when no attributes were chosen. */
export function defaultColumns(resourceType: string): ResultColumn[] {
  const rt = resourceType.replace(/^\//, '').toLowerCase();
  if (rt === 'user' || rt === 'users') {
    return [
      pathColumn('userName', 'userName'),
      {
        id: 'name',
        header: 'name',
        path: 'name.formatted',
        get: (r) => {
          const formatted = getAttribute(r, 'name.formatted');
          if (typeof formatted === 'string' && formatted) return formatted;
          const given = getAttribute(r, 'name.givenName');
          const family = getAttribute(r, 'name.familyName');
          const joined = [given, family].filter((x) => typeof x === 'string' && x).join(' ');
          return joined || getAttribute(r, 'displayName');
        },
      },
      pathColumn('emails', 'emails'),
      pathColumn('active', 'active'),
      pathColumn('title', 'title'),
      pathColumn(`${ENTERPRISE_USER}:department`, 'department'),
      pathColumn('meta.lastModified', 'lastModified'),
    ];
  }
  if (rt === 'group' || rt === 'groups') {
    return [
      pathColumn('displayName', 'displayName'),
      {
        id: 'memberCount',
        header: 'members',
        path: 'members',
        get: (r) => {
          const m = getAttribute(r, 'members');
          return Array.isArray(m) ? m.length : m === undefined ? '' : m;
        },
      },
      pathColumn('externalId', 'externalId'),
      pathColumn('meta.lastModified', 'lastModified'),
    ];
  }
  return [
    pathColumn('id', 'id'),
    pathColumn('displayName', 'displayName'),
    pathColumn('meta.lastModified', 'lastModified'),
  ];
}

/** Columns that exist in the data beyond the chosen ones (for the column chooser). */
export function discoverPaths(rows: ScimResource[], limit = 200): string[] {
  const out = new Set<string>();
  for (const r of rows.slice(0, limit)) {
    for (const [k, v] of Object.entries(r)) {
      if (k === 'schemas') continue;
      if (k.toLowerCase().startsWith('urn:') && v && typeof v === 'object' && !Array.isArray(v)) {
        for (const [sk, sv] of Object.entries(v)) {
          if (sv && typeof sv === 'object' && !Array.isArray(sv)) {
            for (const ssk of Object.keys(sv)) out.add(`${k}:${sk}.${ssk}`);
          } else out.add(`${k}:${sk}`);
        }
      } else if (v && typeof v === 'object' && !Array.isArray(v)) {
        for (const sk of Object.keys(v)) out.add(`${k}.${sk}`);
      } else out.add(k);
    }
  }
  return [...out];
}
