// URL rules for connection base URLs and OAuth endpoints (SSRF-relevant, checked at write time;
// the guarded HTTP client checks the resolved address again at connect time).
import { isHttpLoopback, type Profile } from '../../config.ts';
import { AppError } from '../../lib/errors.ts';
import { checkAddress } from '../../lib/http/address-policy.ts';

export interface UrlRules {
  profile: Profile;
  allowPrivateNetwork: boolean;
  /** Base URLs take no query string; OAuth endpoints may (RFC 6749 §3.1). */
  allowQuery: boolean;
  /** Base URLs are stored without trailing slash; issuers and endpoints exactly as written (issuer matching is exact). */
  normalize?: boolean;
}

function fail(field: string, message: string): never {
  throw new AppError('VALIDATION_FAILED', `${field.replace(/^body\./, '')} ${message}`, { field });
}

/** Returns the normalised URL (no trailing slash) or throws VALIDATION_FAILED naming the field. */
export function checkOutboundUrl(raw: string, field: string, rules: UrlRules): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail(field, 'must be an absolute URL (https://…)');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(field, 'must use https');
  if (url.protocol === 'http:') {
    if (rules.profile === 'production') fail(field, 'must use https in production');
    if (!isHttpLoopback(url.href))
      fail(
        field,
        'must use https (plain http is allowed only for loopback addresses in the demo profile)',
      );
  }
  if (url.username || url.password)
    fail(
      field,
      'must not contain credentials (user:password@); configure them as OAuth client credentials or tokens',
    );
  if (raw.includes('#')) fail(field, 'must not contain a fragment (#…)');
  if (!rules.allowQuery && (url.search || raw.includes('?')))
    fail(field, 'must not contain a query string');
  if (!url.hostname) fail(field, 'must name a host');

  // Early, readable feedback for literal addresses; hostnames are resolved and checked on every call.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const isLiteral = /^[\d.]+$/.test(host) || host.includes(':');
  if (isLiteral) {
    const verdict = checkAddress(host, rules.allowPrivateNetwork);
    if (!verdict.allowed) {
      fail(
        field,
        rules.allowPrivateNetwork
          ? `points at a refused address (${verdict.reason})`
          : `points at a non-public address (${verdict.reason}); set allowPrivateNetwork for on-premises providers`,
      );
    }
  } else if (host === 'localhost' || host.endsWith('.localhost')) {
    if (!rules.allowPrivateNetwork)
      fail(field, 'points at a loopback address; set allowPrivateNetwork for local providers');
  }
  if (!rules.normalize) return raw.trim();
  return url.href.replace(/\/+$/, '');
}
