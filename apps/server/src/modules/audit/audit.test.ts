import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../lib/actor.ts';
import { fingerprintToken } from '../../lib/crypto/fingerprint.ts';
import { canonicalJson, computeEventHash, GENESIS_HASH } from './audit.hash.ts';
import { redactFilterValues } from './audit.redact.ts';
import { listAuditEvents, verifyAuditChain } from './audit.repository.ts';
import { recordAudit, recordPermissionDenied } from './audit.service.ts';
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from './audit.test-support.ts';

const actor = (userId: string, username = userId): Actor => ({
  userId,
  username,
  role: 'operator',
  permissions: new Set(['query:run']),
  sessionId: 's',
  ip: '127.0.0.1',
  userAgent: 'vitest',
  requestId: `req-${userId}`,
});

describe('canonical JSON and hashing', () => {
  it('sorts keys, drops undefined, keeps null and is whitespace-free', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x"'], c: undefined, d: { z: 1, y: 2 } })).toBe(
      '{"a":[true,null,"x\\""],"b":1,"d":{"y":2,"z":1}}',
    );
    expect(() => canonicalJson({ n: Number.NaN })).toThrow();
  });
});

describe('filter redaction', () => {
  it('keeps the shape and replaces every literal', () => {
    expect(
      redactFilterValues(
        'userName eq "alice@example.com" and (active eq true or emails[type eq "work" and value co "x"])',
      ),
    ).toBe('userName eq "…" and (active eq "…" or emails[type eq "…" and value co "…"])');
    expect(redactFilterValues('title pr')).toBe('title pr');
    expect(redactFilterValues('not a filter ((')).toBe('…');
  });
});

describe.each(DATABASE_KINDS)('audit trail on %s', (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('appends a verifiable chain inside the caller transaction, and rolls back with it', async () => {
    const e1 = await recordAudit(t.db, {
      action: 'auth.login',
      actor: actor('u1', 'alice'),
      details: { method: 'local' },
    });
    expect(e1.seq).toBe(1);
    expect(e1.prevHash).toBe(GENESIS_HASH);
    expect(e1.hash).toBe(computeEventHash(GENESIS_HASH, e1));
    await t.db
      .transaction()
      .execute(async (trx) => {
        await recordAudit(trx, { action: 'auth.logout', actor: actor('u1', 'alice') });
        throw new Error('rollback');
      })
      .catch(() => {});
    const e2 = await t.db.transaction().execute((trx) =>
      recordAudit(trx, {
        action: 'query.generated',
        actor: actor('u2', 'bob'),
        connectionId: 'c1',
        queryId: 'q1',
        token: {
          fingerprint: fingerprintToken(Buffer.alloc(32, 1), 'a-very-long-secret-token-value-xyz'),
          version: 3,
        },
        request: {
          method: 'GET',
          path: '/Users',
          params: { filter: 'userName eq "bob@example.com"' },
          filter: 'userName eq "bob@example.com"',
        },
        details: { resourceType: 'User', source: 'filter' },
      }),
    );
    expect(e2.seq).toBe(2); // the rolled-back event left no gap
    expect(e2.prevHash).toBe(e1.hash);
    expect(await verifyAuditChain(t.db)).toEqual({
      ok: true,
      checked: 2,
      lastSeq: 2,
      lastHash: e2.hash,
    });
    const { events } = await listAuditEvents(t.db, {}, 10);
    expect(events.map((e) => e.seq)).toEqual([2, 1]);
    expect(events[0]).toEqual(e2);
  });

  it('refuses raw tokens and redacts filter values when asked', async () => {
    await expect(
      recordAudit(t.db, {
        action: 'token.linked',
        actor: actor('u1'),
        token: { fingerprint: 'secret-token-value', version: 1 },
      }),
    ).rejects.toThrow(/fingerprint/);
    const e = await recordAudit(
      t.db,
      {
        action: 'query.generated',
        actor: actor('u3', 'carol'),
        request: {
          method: 'POST',
          path: '/Users/.search',
          params: { filter: 'displayName sw "Carol"' },
          filter: 'displayName sw "Carol"',
        },
      },
      { redactFilterValues: true },
    );
    expect(e.request).toEqual({
      method: 'POST',
      path: '/Users/.search',
      params: { filter: 'displayName sw "…"' },
      filter: 'displayName sw "…"',
    });
    // Redacted values are not searchable either.
    expect((await listAuditEvents(t.db, { q: 'carol' }, 10)).events.map((x) => x.seq)).toEqual([
      e.seq,
    ]); // username only
    expect(
      (await listAuditEvents(t.db, { q: 'displayname' }, 10)).events.map((x) => x.seq),
    ).toEqual([e.seq]);
    expect(
      (await listAuditEvents(t.db, { q: 'bob@example' }, 10)).events.map((x) => x.seq),
    ).toEqual([2]);
  });

  it('filters and pages newest first with a keyset cursor', async () => {
    await recordPermissionDenied(t.db, actor('u2', 'bob'), {
      method: 'GET',
      path: '/api/logs/verify?x=1',
      permission: 'audit:read-all',
    });
    const denied = await listAuditEvents(t.db, { result: 'failure' }, 10);
    expect(denied.events.map((e) => e.action)).toEqual(['permission.denied']);
    expect(denied.events[0]!.request?.path).toBe('/api/logs/verify');
    const bob = await listAuditEvents(t.db, { actorId: 'u2' }, 1);
    expect(bob.hasMore).toBe(true);
    const next = await listAuditEvents(t.db, { actorId: 'u2', beforeSeq: bob.events[0]!.seq }, 1);
    expect(next.events.map((e) => e.action)).toEqual(['query.generated']);
    expect(
      (await listAuditEvents(t.db, { connectionId: 'c1', actions: ['query.generated'] }, 10))
        .events,
    ).toHaveLength(1);
    expect(
      (await listAuditEvents(t.db, { from: '2999-01-01T00:00:00.000Z' }, 10)).events,
    ).toHaveLength(0);
  });

  it('is append-only in the database itself', async () => {
    await expect(
      t.raw(`update audit_events set action = 'auth.logout' where seq = 1`),
    ).rejects.toThrow(/append-only/);
    await expect(t.raw(`delete from audit_events where seq = 1`)).rejects.toThrow(/append-only/);
  });

  it('keeps a valid chain under 200 concurrent appends', async () => {
    const before = (await verifyAuditChain(t.db)) as { lastSeq: number };
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        t.db
          .transaction()
          .execute((trx) =>
            recordAudit(trx, {
              action: 'query.outcome',
              actor: actor(`w${i % 7}`),
              queryId: `q${i}`,
              outcome: { status: 200, resultCount: i, durationMs: 5 },
            }),
          ),
      ),
    );
    const result = await verifyAuditChain(t.db);
    expect(result).toMatchObject({
      ok: true,
      lastSeq: before.lastSeq + 200,
      checked: before.lastSeq + 200,
    });
    const ids = new Set(
      (await listAuditEvents(t.db, { actions: ['query.outcome'] }, 500)).events.map(
        (e) => e.queryId,
      ),
    );
    expect(ids.size).toBe(200);
  });

  it('names the altered row and the deleted row', async () => {
    const off =
      kind === 'postgres'
        ? 'alter table audit_events disable trigger user'
        : 'drop trigger audit_events_no_update';
    await t.raw(off);
    if (kind === 'sqlite') await t.raw('drop trigger audit_events_no_delete');
    const [original] = (await t.raw(
      `select outcome_result_count as n from audit_events where seq = 50`,
    )) as { n: number }[];
    await t.raw(`update audit_events set outcome_result_count = 999 where seq = 50`);
    expect(await verifyAuditChain(t.db, 16)).toMatchObject({
      ok: false,
      brokenAt: 50,
      reason: 'hash_mismatch',
      checked: 49,
    });
    // Putting the value back restores the proof; changing the linkage instead is caught too.
    await t.raw(
      `update audit_events set outcome_result_count = ${Number(original!.n)} where seq = 50`,
    );
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true });
    await t.raw(`update audit_events set prev_hash = '${'f'.repeat(64)}' where seq = 60`);
    expect(await verifyAuditChain(t.db)).toMatchObject({
      ok: false,
      brokenAt: 60,
      reason: 'prev_hash_mismatch',
    });
    await t.raw(`delete from audit_events where seq = 17`);
    expect(await verifyAuditChain(t.db, 10)).toMatchObject({
      ok: false,
      brokenAt: 17,
      reason: 'seq_gap',
      checked: 16,
    });
  });
});
