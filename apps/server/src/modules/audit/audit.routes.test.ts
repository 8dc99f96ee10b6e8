import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildTestApp,
  forEachDatabase,
  login,
  type LoggedIn,
  type TestApp,
} from '../../../test/helpers/test-app.ts';
import type { Actor } from '../../lib/actor.ts';
import { permissionsForRole } from '../rbac/policy.ts';
import { configureAudit, recordAudit } from './audit.service.ts';

function actorOf(session: LoggedIn): Actor {
  const role = session.user.role as Actor['role'];
  return {
    userId: session.user.id,
    username: session.user.username,
    role,
    permissions: permissionsForRole(role),
    sessionId: 's',
    ip: '10.0.0.1',
    userAgent: 'test',
    requestId: 'r',
  };
}

forEachDatabase((database) => {
  let app: TestApp;
  let admin: LoggedIn;
  let operator: LoggedIn;
  let viewer: LoggedIn;
  let auditor: LoggedIn;

  beforeAll(async () => {
    app = await buildTestApp({ database });
    [admin, operator, viewer, auditor] = (await Promise.all(
      ['admin', 'operator', 'viewer', 'auditor'].map((u) => login(app, u)),
    )) as [LoggedIn, LoggedIn, LoggedIn, LoggedIn];
    // Query events for the operator and the viewer, one with a hostile, spreadsheet-active filter.
    for (let i = 0; i < 30; i++) {
      const who = i % 3 === 0 ? viewer : operator;
      await recordAudit(app.db, {
        action: i % 2 ? 'query.outcome' : 'query.generated',
        actor: actorOf(who),
        connectionId: i < 10 ? 'conn_a' : 'conn_b',
        queryId: `q${i}`,
        request: {
          method: 'GET',
          path: '/Users',
          params: {},
          filter: i === 8 ? '=cmd|" /C calc"!A0' : `userName eq "user${i}@example.com"`,
        },
        outcome: i % 2 ? { status: i === 9 ? 500 : 200, resultCount: i, durationMs: 3 } : null,
      });
    }
  });
  afterAll(async () => {
    await app?.close();
  });

  it('shows own events by default and everyone only with audit:read-all', async () => {
    const own = (await operator.inject({ method: 'GET', url: '/api/logs?limit=500' })).json();
    expect(own.events.length).toBeGreaterThan(0);
    expect(new Set(own.events.map((e: { actor: { id: string } }) => e.actor.id))).toEqual(
      new Set([operator.user.id]),
    );

    for (const who of [operator, viewer]) {
      for (const url of [
        '/api/logs?scope=all',
        `/api/logs?userId=${admin.user.id}`,
        '/api/logs/verify',
        '/api/logs/export?scope=all',
      ]) {
        const res = await who.inject({ method: 'GET', url });
        expect(res.statusCode, `${who.user.username} ${url}`).toBe(403);
        expect(res.json().error.code).toBe('FORBIDDEN');
      }
    }
    // Each refusal left a permission.denied event, visible to the auditor.
    const denied = (
      await auditor.inject({
        method: 'GET',
        url: `/api/logs?scope=all&action=permission.denied&userId=${viewer.user.id}`,
      })
    ).json();
    expect(denied.events.map((e: { request: { path: string } }) => e.request.path)).toEqual(
      expect.arrayContaining(['/api/logs', '/api/logs/verify', '/api/logs/export']),
    );
    const all = (
      await auditor.inject({ method: 'GET', url: '/api/logs?scope=all&limit=500' })
    ).json();
    expect(
      all.events.some((e: { actor: { id: string } | null }) => e.actor?.id === viewer.user.id),
    ).toBe(true);
    expect((await app.inject({ method: 'GET', url: '/api/logs' })).statusCode).toBe(401);
  });

  it('filters by user, connection, action, outcome, time and text, and pages with a cursor', async () => {
    const get = async (query: string) =>
      (await admin.inject({ method: 'GET', url: `/api/logs?scope=all&${query}` })).json();
    expect(
      (await get(`userId=${viewer.user.id}&action=query.generated,query.outcome`)).events,
    ).toHaveLength(10);
    expect((await get('connectionId=conn_a&action=query.generated')).events).toHaveLength(5);
    const failures = (await get('outcome=failure&action=query.outcome')).events;
    expect(failures.map((e: { queryId: string }) => e.queryId)).toEqual(['q9']);
    expect(
      (await get('q=user12@example.com')).events.map((e: { queryId: string }) => e.queryId),
    ).toEqual(['q12']);
    expect(
      (await get(`q=${operator.user.username}&action=query.generated&connectionId=conn_b`)).events
        .length,
    ).toBe(7);
    expect((await get('from=2999-01-01')).events).toHaveLength(0);
    expect(
      (
        await get(
          `to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}&action=query.generated`,
        )
      ).events,
    ).toHaveLength(15);

    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { events: { seq: number }[]; nextCursor: string | null } = await get(
        `action=query.generated,query.outcome&limit=7${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.events.map((e) => e.seq));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(30);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen); // newest first, no duplicates
    expect(new Set(seen).size).toBe(30);

    for (const [query, field] of [
      ['action=nope', 'querystring.action'],
      ['outcome=maybe', 'querystring.outcome'],
      ['limit=0', 'querystring.limit'],
      ['from=yesterday', 'querystring.from'],
      ['cursor=xyz', 'query.cursor'],
    ] as const) {
      const res = await admin.inject({ method: 'GET', url: `/api/logs?${query}` });
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
      expect(String(res.json().error.details?.field), query).toContain(field.split('.')[1]);
    }
  });

  it('exports CSV safely and NDJSON, streamed with the same filters', async () => {
    const csv = await auditor.inject({
      method: 'GET',
      url: '/api/logs/export?format=csv&scope=all&action=query.generated',
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(
      /^attachment; filename="audit-\d{8}T\d{6}Z\.csv"$/,
    );
    const lines = csv.body.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^seq,at,action,result,/);
    expect(lines).toHaveLength(16);
    expect(csv.body).toContain(`"'=cmd|"" /C calc""!A0"`);
    expect(csv.body).not.toMatch(/(^|,)=cmd/m);

    const nd = await auditor.inject({
      method: 'GET',
      url: '/api/logs/export?format=ndjson&scope=all&action=query.outcome',
    });
    expect(nd.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const events = nd.body
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events).toHaveLength(15);
    expect(events[0].seq).toBeLessThan(events[14].seq); // oldest first
    // Own export for a viewer.
    const mine = await viewer.inject({ method: 'GET', url: '/api/logs/export?format=ndjson' });
    expect(mine.statusCode).toBe(200);
    for (const line of mine.body.trimEnd().split('\n'))
      expect(JSON.parse(line).actor.id).toBe(viewer.user.id);
  });

  it('verifies the chain and names the altered event', async () => {
    const ok = (await auditor.inject({ method: 'GET', url: '/api/logs/verify' })).json();
    expect(ok).toMatchObject({ ok: true });
    expect(ok.checked).toBe(ok.lastSeq);
    // Incremental: resume from an earlier lastSeq/lastHash.
    const later = await recordAudit(app.db, {
      action: 'settings.updated',
      actor: actorOf(admin),
      details: { keys: ['branding'] },
    });
    const inc = (
      await auditor.inject({
        method: 'GET',
        url: `/api/logs/verify?afterSeq=${ok.lastSeq}&afterHash=${ok.lastHash}`,
      })
    ).json();
    expect(inc).toMatchObject({ ok: true, lastSeq: later.seq, lastHash: later.hash });
    expect(inc.checked).toBe(later.seq - ok.lastSeq);
    const wrongAnchor = (
      await auditor.inject({
        method: 'GET',
        url: `/api/logs/verify?afterSeq=${ok.lastSeq}&afterHash=${'0'.repeat(64)}`,
      })
    ).json();
    expect(wrongAnchor).toMatchObject({ ok: false, brokenAt: ok.lastSeq, reason: 'hash_mismatch' });
    expect(
      (await auditor.inject({ method: 'GET', url: `/api/logs/verify?afterSeq=3` })).statusCode,
    ).toBe(400);

    const target = Math.floor(ok.lastSeq / 2);
    // An attacker with database access: switch the append-only trigger off, then edit a row.
    await sql
      .raw(
        database === 'postgres'
          ? 'alter table audit_events disable trigger user'
          : 'drop trigger audit_events_no_update',
      )
      .execute(app.db);
    await sql`update audit_events set request_filter = ${'userName pr'} where seq = ${target}`.execute(
      app.db,
    );
    const broken = (await admin.inject({ method: 'GET', url: '/api/logs/verify' })).json();
    expect(broken).toMatchObject({
      ok: false,
      brokenAt: target,
      reason: 'hash_mismatch',
      checked: target - 1,
    });
  });
});

describe('AUDIT_REDACT_FILTER_VALUES', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await buildTestApp({ env: { AUDIT_REDACT_FILTER_VALUES: 'true' } });
  });
  afterAll(async () => {
    await app?.close();
    configureAudit({ redactFilterValues: false });
  });

  it('keeps filter shape but no literal value', async () => {
    const operator = await login(app, 'operator');
    await recordAudit(app.db, {
      action: 'query.generated',
      actor: actorOf(operator),
      request: {
        method: 'GET',
        path: '/Users',
        params: { filter: 'name.familyName eq "Müller"' },
        filter: 'name.familyName eq "Müller"',
      },
    });
    const res = await operator.inject({ method: 'GET', url: '/api/logs?action=query.generated' });
    expect(res.json().events[0].request).toMatchObject({
      filter: 'name.familyName eq "…"',
      params: { filter: 'name.familyName eq "…"' },
    });
    expect(res.body).not.toContain('Müller');
  });
});
