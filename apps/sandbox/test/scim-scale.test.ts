import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/index.ts';
import { ENT, q, scim, startTestSandbox } from './helpers.ts';

// A larger directory: checks behaviour (counts, paging completeness), not speed.
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox({ users: 20_000, seed: 7 });
});
afterAll(() => sandbox.close());

describe('20,000 users', () => {
  it('counts, filters and pages the whole directory', async () => {
    const all = await scim(sandbox, '/Users' + q({ count: 0 }));
    expect(all.body.totalResults).toBe(20_000);
    expect(all.body.Resources).toEqual([]);

    const filter = `${ENT}:department eq "legal" and active eq true`;
    const total = (await scim(sandbox, '/Users' + q({ filter, count: 0 }))).body
      .totalResults as number;
    expect(total).toBeGreaterThan(100);
    const seen = new Set<string>();
    let cursor = '';
    let pages = 0;
    for (;;) {
      const page = await scim(
        sandbox,
        '/Users' +
          q({ filter, sortBy: 'name.familyName', cursor, count: 97, attributes: 'userName' }),
      );
      expect(page.status).toBe(200);
      for (const r of page.body.Resources) seen.add(r.id);
      pages++;
      if (!page.body.nextCursor) break;
      cursor = page.body.nextCursor;
    }
    expect(seen.size).toBe(total);
    expect(pages).toBe(Math.ceil(total / 97));
    expect(pages).toBeGreaterThan(2);
  });
});
