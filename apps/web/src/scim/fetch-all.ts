// "Fetch all pages": walks the rest of a result set after its first page, within a
// row bound, with progress and cancel. Index paging (startIndex/count) fetches a few
// pages at a time; cursor paging (RFC 9865) can only go one page after another.
import type { ListPage, ScimResource } from './list-response';
import type { PageParams } from './page-request';

export const FETCH_ALL_DEFAULTS = { maxRows: 100_000, concurrency: 3 } as const;

export interface FetchAllProgress {
  loaded: number;
  /** How many rows the walk aims for: min(totalResults, maxRows); null when unknown (cursor paging). */
  target: number | null;
  totalResults: number;
  pages: number;
}

export interface FetchAllOptions {
  first: ListPage;
  /** The page size asked for with the first page (the provider may have capped it). */
  requestedCount: number | null;
  paging: 'index' | 'cursor';
  fetchPage: (page: PageParams, signal: AbortSignal) => Promise<ListPage>;
  maxRows?: number;
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (p: FetchAllProgress) => void;
}

export type FetchAllStatus = 'complete' | 'truncated' | 'cancelled' | 'failed';

export interface FetchAllResult {
  resources: ScimResource[];
  pages: number;
  totalResults: number;
  status: FetchAllStatus;
  /** Rows seen twice (same id) and dropped: the data changed while paging. */
  duplicates: number;
  /** A page came back shorter than asked before the end: rows may be missing. */
  gaps: boolean;
  error?: unknown;
}

export interface IndexPagePlan {
  startIndex: number;
  count: number;
}

/**
 * The pages still to fetch after the first one, for index paging.
 * `pageSize` is what the provider actually returned on the first page (it may cap `count`).
 */
export function planIndexPages(
  firstStartIndex: number,
  pageSize: number,
  totalResults: number,
  maxRows: number,
): { pages: IndexPagePlan[]; target: number; truncated: boolean } {
  const available = Math.max(0, totalResults - (firstStartIndex - 1));
  const target = Math.min(available, maxRows);
  const pages: IndexPagePlan[] = [];
  if (pageSize <= 0) return { pages, target: Math.min(target, 0), truncated: false };
  for (let offset = pageSize; offset < target; offset += pageSize) {
    pages.push({
      startIndex: firstStartIndex + offset,
      count: Math.min(pageSize, target - offset),
    });
  }
  return { pages, target, truncated: available > maxRows };
}

function isAbort(e: unknown, signal: AbortSignal | undefined): boolean {
  if (signal?.aborted) return true;
  const kind = (e as { kind?: unknown })?.kind;
  return (
    kind === 'cancelled' ||
    (e as { name?: unknown })?.name === 'CanceledError' ||
    (e as { name?: unknown })?.name === 'AbortError'
  );
}

export async function fetchAllPages(options: FetchAllOptions): Promise<FetchAllResult> {
  const maxRows = Math.max(1, options.maxRows ?? FETCH_ALL_DEFAULTS.maxRows);
  const concurrency = Math.max(1, options.concurrency ?? FETCH_ALL_DEFAULTS.concurrency);
  const { first, signal } = options;
  const inner = new AbortController();
  const onAbort = () => inner.abort();
  signal?.addEventListener('abort', onAbort, { once: true });

  const seen = new Set<string>();
  let duplicates = 0;
  const keep = (rows: ScimResource[], into: ScimResource[]) => {
    for (const r of rows) {
      const id = typeof r.id === 'string' ? r.id : null;
      if (id !== null) {
        if (seen.has(id)) {
          duplicates += 1;
          continue;
        }
        seen.add(id);
      }
      into.push(r);
    }
  };

  const firstRows: ScimResource[] = [];
  keep(first.resources.slice(0, maxRows), firstRows);
  let pages = 1;
  let gaps = false;
  // Index pages land here by position, so rows keep their order whatever finishes first.
  let results: (ScimResource[] | undefined)[] = [];

  try {
    if (options.paging === 'cursor') {
      const all = firstRows;
      let cursor = first.nextCursor;
      const pageSize = options.requestedCount ?? (first.resources.length || undefined);
      options.onProgress?.({
        loaded: all.length,
        target: null,
        totalResults: first.totalResults,
        pages,
      });
      while (cursor && all.length < maxRows) {
        if (inner.signal.aborted) throw new DOMException('Aborted', 'AbortError');
        const want = pageSize !== undefined ? Math.min(pageSize, maxRows - all.length) : undefined;
        const page = await options.fetchPage(
          { cursor, ...(want !== undefined ? { count: want } : {}) },
          inner.signal,
        );
        pages += 1;
        keep(page.resources.slice(0, maxRows - all.length), all);
        options.onProgress?.({
          loaded: all.length,
          target: null,
          totalResults: page.totalResults,
          pages,
        });
        if (page.resources.length === 0) break;
        cursor = page.nextCursor;
      }
      return {
        resources: all,
        pages,
        totalResults: first.totalResults,
        status: cursor && all.length >= maxRows ? 'truncated' : 'complete',
        duplicates,
        gaps,
      };
    }

    // Index paging.
    const pageSize = first.resources.length;
    const firstStart = first.startIndex ?? 1;
    const plan = planIndexPages(firstStart, pageSize, first.totalResults, maxRows);
    results = new Array(plan.pages.length);
    let loaded = firstRows.length;
    options.onProgress?.({ loaded, target: plan.target, totalResults: first.totalResults, pages });
    let next = 0;
    let stop = false;
    const worker = async () => {
      while (!stop && next < plan.pages.length) {
        const i = next++;
        const p = plan.pages[i]!;
        if (inner.signal.aborted) throw new DOMException('Aborted', 'AbortError');
        const page = await options.fetchPage(
          { startIndex: p.startIndex, count: p.count },
          inner.signal,
        );
        const rows = page.resources.slice(0, p.count);
        if (rows.length < p.count) gaps = true;
        // An empty page before the end: the result set shrank while paging; stop asking.
        if (rows.length === 0) stop = true;
        results[i] = rows;
        pages += 1;
        loaded += rows.length;
        options.onProgress?.({
          loaded,
          target: plan.target,
          totalResults: first.totalResults,
          pages,
        });
      }
    };
    const workers = Array.from({ length: Math.min(concurrency, plan.pages.length) }, worker);
    try {
      await Promise.all(workers);
    } catch (e) {
      stop = true;
      inner.abort();
      throw e;
    }
    const all = firstRows;
    for (const rows of results) if (rows) keep(rows, all);
    return {
      resources: all,
      pages,
      totalResults: first.totalResults,
      status: plan.truncated ? 'truncated' : 'complete',
      duplicates,
      gaps,
    };
  } catch (e) {
    const cancelled = isAbort(e, signal);
    // Keep what arrived: the rows loaded before the cancel or the failure.
    for (const rows of results) if (rows) keep(rows, firstRows);
    return {
      resources: firstRows,
      pages,
      totalResults: first.totalResults,
      status: cancelled ? 'cancelled' : 'failed',
      duplicates,
      gaps,
      ...(cancelled ? {} : { error: e }),
    };
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
