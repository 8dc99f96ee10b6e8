import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AttributePath } from '@scim-console/scim';
import {
  compileFilter,
  isCaseExact,
  parseSortPath,
  type ResourcePredicate,
} from './filter.adapter.ts';
import type { DirectoryStore } from './directory.store.ts';
import {
  fnv1a,
  GROUP_SCHEMA,
  USER_SCHEMA,
  type ResourceTypeName,
  type ScimResource,
} from './resources.ts';
import { ScimHttpError } from './scim-error.ts';

export const DEFAULT_PAGE_SIZE = 100;

export interface ListRequest {
  readonly types: readonly ResourceTypeName[];
  readonly filter?: string;
  readonly sortBy?: string;
  readonly sortOrder: 'ascending' | 'descending';
  readonly startIndex?: number;
  readonly count?: number;
  /** Present (even empty) → RFC 9865 cursor paging. */
  readonly cursor?: string;
  readonly attributes?: string;
  readonly excludedAttributes?: string;
}

export interface ListPage {
  readonly totalResults: number;
  readonly resources: readonly ScimResource[];
  readonly startIndex?: number;
  readonly nextCursor?: string;
  readonly previousCursor?: string;
}

/** Sort key: `v` the normalised sortBy value (null = missing), `t` the tie-breaker. */
interface SortKey {
  readonly v: string | number | null;
  readonly t: string | number;
}

interface SortedView {
  readonly revision: number;
  readonly items: readonly ScimResource[];
  readonly keys: readonly SortKey[];
  /** id → index in items, for keyed lookups. */
  readonly positions: ReadonlyMap<string, number>;
}

interface CursorPayload {
  h: string;
  d: 'n' | 'p';
  v: string | number | null;
  t: string | number;
}

function compareKeys(a: SortKey, b: SortKey, descending: boolean): number {
  if (a.v !== b.v) {
    // Resources without a value come last whatever the order, so they never hide the data.
    if (a.v === null) return 1;
    if (b.v === null) return -1;
    const c = a.v < b.v ? -1 : 1;
    return descending ? -c : c;
  }
  return a.t < b.t ? -1 : a.t > b.t ? 1 : 0;
}

function findKey(container: unknown, name: string): unknown {
  if (!container || typeof container !== 'object') return undefined;
  const record = container as Record<string, unknown>;
  if (name in record) return record[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(record)) if (key.toLowerCase() === lower) return record[key];
  return undefined;
}

function sortValue(
  resource: ScimResource,
  path: AttributePath,
  caseExact: boolean,
): string | number | null {
  let container: unknown = resource;
  if (path.uri) {
    const core = resource.meta.resourceType === 'User' ? USER_SCHEMA : GROUP_SCHEMA;
    container =
      path.uri.toLowerCase() === core.toLowerCase() ? resource : findKey(resource, path.uri);
  }
  let value = findKey(container, path.attribute);
  if (Array.isArray(value)) {
    // RFC 7644 §3.4.2.3: a multi-valued attribute sorts by its primary value, else the first.
    const primary = value.find(
      (item) =>
        item && typeof item === 'object' && (item as { primary?: unknown }).primary === true,
    );
    value = primary ?? value[0];
    if (!path.subAttribute && value && typeof value === 'object') value = findKey(value, 'value');
  }
  if (path.subAttribute) value = findKey(value, path.subAttribute);
  if (typeof value === 'string') return caseExact ? value : value.toLowerCase();
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return null;
}

/**
 * Filtering, sorting and paging for list and search requests. SCIMMY sorts and slices
 * whatever it is handed, cannot sort by sub-attributes or page by cursor, and coerces each
 * resource at ~0.6 ms (too slow for 1000-item pages), so lists are served here.
 */
export class ListService {
  readonly #store: DirectoryStore;
  readonly #maxPageSize: number;
  readonly #cursorKey = randomBytes(32);
  readonly #sorted = new Map<string, SortedView>();

  constructor(store: DirectoryStore, maxPageSize: number) {
    this.#store = store;
    this.#maxPageSize = maxPageSize;
  }

  get maxPageSize(): number {
    return this.#maxPageSize;
  }

  list(request: ListRequest): ListPage {
    const descending = request.sortOrder === 'descending';
    const view = this.#view(request.types, request.sortBy, descending);
    const compiled = request.filter ? compileFilter(request.filter) : undefined;
    const predicate: ResourcePredicate | undefined = compiled?.predicate;
    const { items, keys } = view;
    let matches: number[] = [];
    if (compiled?.key) {
      // id / userName equality: look the one candidate up instead of scanning everything.
      const { attribute, value } = compiled.key;
      const id = attribute === 'id' ? value : this.#store.userIdByUserName(value);
      const position = id === undefined ? undefined : view.positions.get(id);
      if (
        position !== undefined &&
        (predicate as ResourcePredicate)(items[position] as ScimResource)
      )
        matches = [position];
    } else {
      for (let i = 0; i < items.length; i++) {
        if (!predicate || predicate(items[i] as ScimResource)) matches.push(i);
      }
    }
    const count = Math.min(Math.max(request.count ?? DEFAULT_PAGE_SIZE, 0), this.#maxPageSize);

    if (request.cursor === undefined) {
      const startIndex = Math.max(request.startIndex ?? 1, 1);
      const page = matches
        .slice(startIndex - 1, startIndex - 1 + count)
        .map((i) => items[i] as ScimResource);
      return { totalResults: matches.length, resources: page, startIndex };
    }

    if (request.startIndex !== undefined) {
      throw new ScimHttpError(
        400,
        'invalidValue',
        'Use either cursor or startIndex paging, not both',
      );
    }
    const hash = this.#queryHash(request);
    let from = 0;
    let to = Math.min(count, matches.length);
    if (request.cursor !== '') {
      const anchor = this.#decodeCursor(request.cursor, hash);
      // Keyset position: stable when resources are added or removed between pages.
      const cmp = (position: number): number =>
        compareKeys(keys[matches[position] as number] as SortKey, anchor, descending);
      const firstAtOrAfter = (strict: boolean): number => {
        let lo = 0;
        let hi = matches.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          const c = cmp(mid);
          if (c < 0 || (strict && c === 0)) lo = mid + 1;
          else hi = mid;
        }
        return lo;
      };
      if (anchor.d === 'n') {
        from = firstAtOrAfter(true);
        to = Math.min(from + count, matches.length);
      } else {
        to = firstAtOrAfter(false);
        from = Math.max(0, to - count);
      }
    }
    const page = matches.slice(from, to);
    const keyAt = (position: number): SortKey => keys[matches[position] as number] as SortKey;
    return {
      totalResults: matches.length,
      resources: page.map((i) => items[i] as ScimResource),
      ...(count > 0 && to < matches.length
        ? { nextCursor: this.#encodeCursor(hash, 'n', keyAt(to - 1)) }
        : {}),
      ...(count > 0 && from > 0 && page.length > 0
        ? { previousCursor: this.#encodeCursor(hash, 'p', keyAt(from)) }
        : {}),
    };
  }

  /** The whole collection in the requested order, cached until the directory changes. */
  #view(
    types: readonly ResourceTypeName[],
    sortBy: string | undefined,
    descending: boolean,
  ): SortedView {
    const path = sortBy ? parseSortPath(sortBy, types) : undefined;
    const cacheKey = `${types.join(',')}|${sortBy?.toLowerCase() ?? ''}|${descending ? 'd' : 'a'}`;
    const cached = this.#sorted.get(cacheKey);
    if (cached && cached.revision === this.#store.revision) return cached;

    const source = types.flatMap((type) => this.#store.list(type));
    const caseExact = {
      User: path ? isCaseExact('User', path) : false,
      Group: path ? isCaseExact('Group', path) : false,
    };
    const entries = source.map((resource) => ({
      resource,
      key: path
        ? { v: sortValue(resource, path, caseExact[resource.meta.resourceType]), t: resource.id }
        : { v: null, t: this.#store.seqOf(resource.id) },
    }));
    entries.sort((a, b) => compareKeys(a.key, b.key, descending));
    const view: SortedView = {
      revision: this.#store.revision,
      items: entries.map((e) => e.resource),
      keys: entries.map((e) => e.key),
      positions: new Map(entries.map((e, index) => [e.resource.id, index])),
    };
    if (this.#sorted.size >= 16) this.#sorted.delete(this.#sorted.keys().next().value as string);
    this.#sorted.set(cacheKey, view);
    return view;
  }

  #queryHash(request: ListRequest): string {
    return fnv1a(
      JSON.stringify([
        request.types,
        request.filter ?? '',
        request.sortBy?.toLowerCase() ?? '',
        request.sortOrder,
      ]),
    );
  }

  #sign(payload: string): string {
    return createHmac('sha256', this.#cursorKey).update(payload).digest('base64url').slice(0, 22);
  }

  #encodeCursor(hash: string, direction: 'n' | 'p', key: SortKey): string {
    const payload = Buffer.from(
      JSON.stringify({ h: hash, d: direction, v: key.v, t: key.t } satisfies CursorPayload),
    ).toString('base64url');
    return `${payload}.${this.#sign(payload)}`;
  }

  #decodeCursor(cursor: string, hash: string): CursorPayload {
    const invalid = (): ScimHttpError =>
      new ScimHttpError(
        400,
        'invalidCursor',
        'The cursor is not valid: use the nextCursor or previousCursor value of an earlier response',
      );
    const [payload, signature, extra] = cursor.split('.');
    if (!payload || !signature || extra !== undefined) throw invalid();
    const expected = Buffer.from(this.#sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid();
    let decoded: CursorPayload;
    try {
      decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as CursorPayload;
    } catch {
      throw invalid();
    }
    if (decoded.h !== hash) {
      throw new ScimHttpError(
        400,
        'invalidCursor',
        'The cursor belongs to a different query: filter, sortBy and sortOrder must stay the same across pages',
      );
    }
    return decoded;
  }
}
