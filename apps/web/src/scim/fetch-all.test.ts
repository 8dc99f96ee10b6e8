import { describe, expect, it } from 'vitest';
import { fetchAllPages, planIndexPages } from './fetch-all';
import type { ListPage, ScimResource } from './list-response';
import type { PageParams } from './page-request';

const users = (n: number): ScimResource[] =>
  Array.from({ length: n }, (_, i) => ({ id: `u${i + 1}` }));

/** An index-paging provider over `data` that caps count at `cap`. */
function indexProvider(data: ScimResource[], cap = 1_000) {
  const calls: PageParams[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const page = (startIndex: number, count: number): ListPage => {
    const rows = data.slice(startIndex - 1, startIndex - 1 + Math.min(count, cap));
    return {
      resources: rows,
      totalResults: data.length,
      startIndex,
      itemsPerPage: rows.length,
      nextCursor: null,
      previousCursor: null,
    };
  };
  const fetchPage = async (p: PageParams, signal: AbortSignal) => {
    calls.push(p);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 2));
    inFlight -= 1;
    if (signal.aborted) throw new DOMException('Aborted', 'AbortError');
    return page(p.startIndex ?? 1, p.count ?? cap);
  };
  return { calls, fetchPage, page, maxInFlight: () => maxInFlight };
}

function cursorProvider(data: ScimResource[], size: number) {
  const calls: PageParams[] = [];
  const page = (offset: number, count: number): ListPage => {
    const rows = data.slice(offset, offset + count);
    const next = offset + count < data.length ? `c${offset + count}` : null;
    return {
      resources: rows,
      totalResults: data.length,
      startIndex: null,
      itemsPerPage: rows.length,
      nextCursor: next,
      previousCursor: null,
    };
  };
  const fetchPage = async (p: PageParams) => {
    calls.push(p);
    return page(Number(p.cursor!.slice(1)), p.count ?? size);
  };
  return { calls, fetchPage, first: page(0, size) };
}

describe('planIndexPages', () => {
  it('plans the remaining pages from the page size the provider really used', () => {
    expect(planIndexPages(1, 100, 250, 100_000)).toEqual({
      pages: [
        { startIndex: 101, count: 100 },
        { startIndex: 201, count: 50 },
      ],
      target: 250,
      truncated: false,
    });
  });
  it('stops at the row bound and says the result is truncated', () => {
    const plan = planIndexPages(1, 100, 1_000, 250);
    expect(plan.pages).toEqual([
      { startIndex: 101, count: 100 },
      { startIndex: 201, count: 50 },
    ]);
    expect(plan).toMatchObject({ target: 250, truncated: true });
  });
  it('counts from a first page that did not start at 1', () => {
    expect(planIndexPages(51, 25, 100, 1_000).pages.map((p) => p.startIndex)).toEqual([76]);
  });
  it('plans nothing when everything came on the first page', () => {
    expect(planIndexPages(1, 10, 10, 1_000).pages).toEqual([]);
  });
});

describe('fetchAllPages', () => {
  it('index paging: loads every row in order with bounded concurrency and progress', async () => {
    const data = users(1_003);
    const p = indexProvider(data, 100);
    const progress: number[] = [];
    const result = await fetchAllPages({
      first: p.page(1, 500), // asked for 500, the provider capped at 100
      requestedCount: 500,
      paging: 'index',
      fetchPage: p.fetchPage,
      concurrency: 3,
      onProgress: (x) => progress.push(x.loaded),
    });
    expect(result.status).toBe('complete');
    expect(result.resources.map((r) => r.id)).toEqual(data.map((r) => r.id));
    expect(result.pages).toBe(11);
    expect(p.maxInFlight()).toBeLessThanOrEqual(3);
    expect(p.calls.at(-1)).toEqual({ startIndex: 1_001, count: 3 });
    expect(progress.at(-1)).toBe(1_003);
  });

  it('index paging: stops at the bound', async () => {
    const p = indexProvider(users(1_000), 100);
    const result = await fetchAllPages({
      first: p.page(1, 100),
      requestedCount: 100,
      paging: 'index',
      fetchPage: p.fetchPage,
      maxRows: 250,
    });
    expect(result.status).toBe('truncated');
    expect(result.resources).toHaveLength(250);
    expect(p.calls).toHaveLength(2);
  });

  it('index paging: drops rows seen twice (the data moved while paging)', async () => {
    const data = users(30);
    const p = indexProvider(data, 10);
    const shifted = async (q: PageParams, s: AbortSignal) => {
      const page = await p.fetchPage(q, s);
      // Simulate an insert at the front: each later page starts with the last row of the page before.
      return {
        ...page,
        resources: [data[(q.startIndex ?? 1) - 2]!, ...page.resources.slice(0, -1)],
      };
    };
    const result = await fetchAllPages({
      first: p.page(1, 10),
      requestedCount: 10,
      paging: 'index',
      fetchPage: shifted,
    });
    expect(result.duplicates).toBe(1);
    expect(new Set(result.resources.map((r) => r.id)).size).toBe(result.resources.length);
  });

  it('cancel keeps the rows already loaded', async () => {
    const p = indexProvider(users(1_000), 10);
    const controller = new AbortController();
    const result = await fetchAllPages({
      first: p.page(1, 10),
      requestedCount: 10,
      paging: 'index',
      concurrency: 1,
      fetchPage: p.fetchPage,
      signal: controller.signal,
      onProgress: (x) => {
        if (x.pages === 3) controller.abort();
      },
    });
    expect(result.status).toBe('cancelled');
    expect(result.resources.length).toBeGreaterThanOrEqual(30);
    expect(result.resources.length).toBeLessThan(1_000);
    expect(p.calls.length).toBeLessThan(10);
  });

  it('a failing page ends the walk with the error and the rows so far', async () => {
    const p = indexProvider(users(100), 10);
    const boom = new Error('provider 500');
    const result = await fetchAllPages({
      first: p.page(1, 10),
      requestedCount: 10,
      paging: 'index',
      concurrency: 1,
      fetchPage: async (q, s) =>
        (q.startIndex ?? 0) > 30 ? Promise.reject(boom) : p.fetchPage(q, s),
    });
    expect(result.status).toBe('failed');
    expect(result.error).toBe(boom);
    expect(result.resources).toHaveLength(30);
  });

  it('cursor paging: follows nextCursor one page at a time until it ends', async () => {
    const data = users(95);
    const p = cursorProvider(data, 20);
    const result = await fetchAllPages({
      first: p.first,
      requestedCount: 20,
      paging: 'cursor',
      fetchPage: p.fetchPage,
    });
    expect(result.status).toBe('complete');
    expect(result.resources.map((r) => r.id)).toEqual(data.map((r) => r.id));
    expect(p.calls.map((c) => c.cursor)).toEqual(['c20', 'c40', 'c60', 'c80']);
  });

  it('cursor paging: respects the bound and asks only for the rows it still needs', async () => {
    const p = cursorProvider(users(95), 20);
    const result = await fetchAllPages({
      first: p.first,
      requestedCount: 20,
      paging: 'cursor',
      fetchPage: p.fetchPage,
      maxRows: 50,
    });
    expect(result.status).toBe('truncated');
    expect(result.resources).toHaveLength(50);
    expect(p.calls).toEqual([
      { cursor: 'c20', count: 20 },
      { cursor: 'c40', count: 10 },
    ]);
  });
});
