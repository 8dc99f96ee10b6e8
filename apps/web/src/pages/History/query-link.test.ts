import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../api/types';
import { decodeBase64UrlJson, encodeBase64UrlJson, inputFromEvent, reopenUrl } from './query-link';

const event = (over: Partial<AuditEvent>): AuditEvent => ({
  seq: 1,
  at: '2026-12-04T10:00:00Z',
  actor: { id: 'u1', username: 'alice' },
  token: null,
  connectionId: 'sandbox',
  action: 'query.generated',
  queryId: 'q1',
  request: {
    method: 'GET',
    path: '/Users',
    params: {
      filter: 'name.familyName eq "Müller"',
      attributes: 'userName,emails',
      sortBy: 'userName',
      sortOrder: 'descending',
      count: '50',
    },
    filter: 'name.familyName eq "Müller"',
  },
  outcome: null,
  ip: null,
  userAgent: null,
  requestId: null,
  prevHash: '',
  hash: '',
  details: { resourceType: 'User', source: 'filter' },
  ...over,
});

describe('re-open links', () => {
  it('round-trips non-ASCII input through a URL-safe parameter', () => {
    const input = { connectionId: 'c', filter: 'displayName eq "Zoë/Ünal+?"' };
    const encoded = encodeBase64UrlJson(input);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeBase64UrlJson(encoded)).toEqual(input);
    expect(reopenUrl(input)).toBe(`/?input=${encoded}`);
  });

  it('rebuilds the scim-query input from the audit event', () => {
    expect(inputFromEvent(event({}), true)).toEqual({
      connectionId: 'sandbox',
      resourceType: 'User',
      filter: 'name.familyName eq "Müller"',
      attributes: ['userName', 'emails'],
      sortBy: 'userName',
      sortOrder: 'descending',
      count: 50,
    });
  });

  it('gives users without free filters their preset back, not its expanded filter', () => {
    const input = inputFromEvent(
      event({ details: { resourceType: 'User', source: 'preset', presetId: 'inactive-users' } }),
      false,
    );
    expect(input).toMatchObject({ preset: { id: 'inactive-users', params: {} } });
    expect(input).not.toHaveProperty('filter');
  });
});
