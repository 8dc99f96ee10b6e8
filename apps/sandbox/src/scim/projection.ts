import type { AttributePath } from '@scim-console/scim';
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA, type ScimResource } from './resources.ts';
import { parseProjectionPath } from './filter.adapter.ts';

const WHOLE_SCHEMAS = [USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_SCHEMA];

/** One `attributes`/`excludedAttributes` entry: a whole extension, or a path. */
export type Projection = { readonly wholeSchema: string } | { readonly path: AttributePath };

export function parseProjection(list: readonly string[]): Projection[] {
  return list
    .map((text) => text.trim())
    .filter(Boolean)
    .map((text) => {
      const whole = WHOLE_SCHEMAS.find((urn) => urn.toLowerCase() === text.toLowerCase());
      return whole ? { wholeSchema: whole } : { path: parseProjectionPath(text) };
    });
}

function keyOf(record: Record<string, unknown>, name: string): string | undefined {
  if (name in record) return name;
  const lower = name.toLowerCase();
  return Object.keys(record).find((k) => k.toLowerCase() === lower);
}

/** Where a path lives: the resource itself (core schema) or its extension object. */
function containerKey(resource: ScimResource, path: AttributePath): string | null | undefined {
  if (!path.uri) return null;
  const core = resource.meta.resourceType === 'User' ? USER_SCHEMA : GROUP_SCHEMA;
  if (path.uri.toLowerCase() === core.toLowerCase()) return null;
  return keyOf(resource, path.uri);
}

function pick(value: unknown, sub: string | undefined): unknown {
  if (sub === undefined) return value;
  const one = (item: unknown): unknown => {
    if (!item || typeof item !== 'object') return undefined;
    const k = keyOf(item as Record<string, unknown>, sub);
    return k === undefined ? undefined : { [k]: (item as Record<string, unknown>)[k] };
  };
  if (Array.isArray(value)) {
    const items = value.map(one).filter((v) => v !== undefined);
    return items.length ? items : undefined;
  }
  return one(value);
}

function merge(target: Record<string, unknown>, key: string, value: unknown): void {
  const existing = target[key];
  if (existing === undefined) target[key] = value;
  else if (Array.isArray(existing) && Array.isArray(value)) {
    target[key] = existing.map((item, i) => ({ ...(item as object), ...(value[i] as object) }));
  } else if (existing && typeof existing === 'object' && value && typeof value === 'object') {
    target[key] = { ...(existing as object), ...(value as object) };
  }
}

/**
 * RFC 7644 §3.4.2.5 projection. `id` and `schemas` are always returned; `attributes`
 * wins over `excludedAttributes` when both are given (as SCIMMY does).
 */
export function project(
  resource: ScimResource,
  attributes?: Projection[],
  excluded?: Projection[],
): Record<string, unknown> {
  if (attributes && attributes.length) {
    const out: Record<string, unknown> = { schemas: resource.schemas, id: resource.id };
    for (const entry of attributes) {
      if ('wholeSchema' in entry) {
        if (entry.wholeSchema === ENTERPRISE_SCHEMA && resource[ENTERPRISE_SCHEMA])
          out[ENTERPRISE_SCHEMA] = resource[ENTERPRISE_SCHEMA];
        else if (entry.wholeSchema !== ENTERPRISE_SCHEMA) return { ...resource };
        continue;
      }
      const where = containerKey(resource, entry.path);
      if (where === undefined) continue;
      const source = (where === null ? resource : resource[where]) as
        Record<string, unknown> | undefined;
      if (!source || typeof source !== 'object') continue;
      const key = keyOf(source, entry.path.attribute);
      if (key === undefined) continue;
      const value = pick(source[key], entry.path.subAttribute);
      if (value === undefined) continue;
      if (where === null) merge(out, key, value);
      else {
        const ext = (out[where] ??= {}) as Record<string, unknown>;
        merge(ext, key, value);
      }
    }
    return out;
  }
  if (excluded && excluded.length) {
    const out: Record<string, unknown> = { ...resource };
    for (const entry of excluded) {
      if ('wholeSchema' in entry) {
        if (entry.wholeSchema === ENTERPRISE_SCHEMA) delete out[ENTERPRISE_SCHEMA];
        continue;
      }
      const where = containerKey(resource, entry.path);
      if (where === undefined) continue;
      const holder =
        where === null
          ? out
          : ((out[where] = { ...(out[where] as object) }) as Record<string, unknown>);
      const key = keyOf(holder, entry.path.attribute);
      if (key === undefined || key === 'id' || key === 'schemas') continue;
      if (entry.path.subAttribute === undefined) {
        delete holder[key];
        continue;
      }
      const sub = entry.path.subAttribute;
      const strip = (item: unknown): unknown => {
        if (!item || typeof item !== 'object') return item;
        const copy = { ...(item as Record<string, unknown>) };
        const k = keyOf(copy, sub);
        if (k !== undefined) delete copy[k];
        return copy;
      };
      const value = holder[key];
      holder[key] = Array.isArray(value) ? value.map(strip) : strip(value);
    }
    return out;
  }
  return resource;
}
