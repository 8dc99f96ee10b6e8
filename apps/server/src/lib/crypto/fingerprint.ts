// Token fingerprints: what logs, the audit trail and the UI show instead of a token.
//
//   fp_<first 12 hex of HMAC-SHA-256(fingerprintKey, token)>…<last 4 characters of the token>
//
// The HMAC is keyed (TOKEN_FINGERPRINT_KEY), so someone holding the audit trail cannot test
// guesses of a token offline the way they could against a plain SHA-256. 48 bits of HMAC are
// plenty to tell one user's tokens apart; it is an identifier, not an integrity check.
//
// Why the last four characters are acceptable: it is how providers themselves show tokens
// (GitHub, Okta, Stripe show a suffix) so an administrator can match a fingerprint to the
// token listed in the provider's console. They are shown only for tokens of at least
// MIN_LENGTH_FOR_SUFFIX characters, so at least 20 unknown characters (≥ 100 bits for
// base64-ish tokens) remain secret; shorter values get the HMAC part only.
import { createHmac } from 'node:crypto';

export const MIN_LENGTH_FOR_SUFFIX = 24;
export const FINGERPRINT_PATTERN = /^fp_[0-9a-f]{12}(…[\x21-\x7e]{4})?$/;

export function fingerprintToken(fingerprintKey: Buffer | string, token: string): string {
  if (typeof token !== 'string' || token.length === 0)
    throw new TypeError('fingerprintToken: empty token');
  const key =
    typeof fingerprintKey === 'string' ? Buffer.from(fingerprintKey, 'utf8') : fingerprintKey;
  if (key.length < 16)
    throw new TypeError('fingerprintToken: the fingerprint key must be at least 16 bytes');
  const mac = createHmac('sha256', key).update(token, 'utf8').digest('hex').slice(0, 12);
  const suffix = token.slice(-4);
  const printable = /^[\x21-\x7e]{4}$/.test(suffix);
  return token.length >= MIN_LENGTH_FOR_SUFFIX && printable ? `fp_${mac}…${suffix}` : `fp_${mac}`;
}

export function isFingerprint(value: unknown): value is string {
  return typeof value === 'string' && FINGERPRINT_PATTERN.test(value);
}
