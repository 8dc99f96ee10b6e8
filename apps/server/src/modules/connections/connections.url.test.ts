import { describe, expect, it } from 'vitest';
import { checkOutboundUrl, type UrlRules } from './connections.url.ts';

const demo: UrlRules = {
  profile: 'demo',
  allowPrivateNetwork: false,
  allowQuery: false,
  normalize: true,
};
const prod: UrlRules = { ...demo, profile: 'production' };

function fieldError(url: string, rules: UrlRules): string | undefined {
  try {
    checkOutboundUrl(url, 'body.baseUrl', rules);
    return undefined;
  } catch (error) {
    return (error as { message: string }).message;
  }
}

describe('connection URL rules', () => {
  it('requires https in production, also for loopback', () => {
    expect(
      fieldError('http://127.0.0.1:8090/scim/v2', { ...prod, allowPrivateNetwork: true }),
    ).toMatch(/https in production/);
    expect(
      fieldError('http://127.0.0.1:8090/scim/v2', { ...demo, allowPrivateNetwork: true }),
    ).toBeUndefined();
    expect(
      fieldError('http://[::1]:8090/scim/v2', { ...demo, allowPrivateNetwork: true }),
    ).toBeUndefined();
    expect(fieldError('http://scim.example.com/scim/v2', demo)).toMatch(/loopback/);
    expect(checkOutboundUrl('https://Scim.Example.com/scim/v2///', 'body.baseUrl', prod)).toBe(
      'https://scim.example.com/scim/v2',
    );
  });

  it('refuses smuggling forms', () => {
    for (const url of [
      'https://user@scim.example.com/',
      'https://:pw@scim.example.com/',
      'https://scim.example.com/#',
      'https://scim.example.com/?',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'https://169.254.169.254/',
      'https://[::ffff:169.254.169.254]/',
      'https://[::ffff:10.0.0.1]/',
      'https://0x7f000001/',
      'https://2130706433/',
      'https://localhost/',
      'https://a.localhost/',
      'https://[fd00::1]/',
      'https://100.64.0.1/',
    ]) {
      expect(fieldError(url, prod), url).toBeDefined();
    }
    // Metadata stays refused even with private networks allowed.
    expect(fieldError('https://169.254.169.254/', { ...prod, allowPrivateNetwork: true })).toMatch(
      /metadata/,
    );
    expect(
      fieldError('https://10.0.0.1/scim', { ...prod, allowPrivateNetwork: true }),
    ).toBeUndefined();
  });

  it('keeps issuers and endpoints exactly as written, queries allowed where OAuth allows them', () => {
    const rules = { ...prod, allowQuery: true, normalize: false };
    expect(checkOutboundUrl('https://tenant.auth0.example/', 'body.oauth.issuer', rules)).toBe(
      'https://tenant.auth0.example/',
    );
    expect(
      checkOutboundUrl(
        'https://idp.example.com/authorize?tenant=a',
        'body.oauth.authorizationEndpoint',
        rules,
      ),
    ).toBe('https://idp.example.com/authorize?tenant=a');
  });
});
