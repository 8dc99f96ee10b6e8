import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createKeyRing } from './key-ring.ts';
import { fingerprintToken, isFingerprint } from './fingerprint.ts';
import { inspectSealed, open, seal, SealError } from './seal.ts';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const ring1 = createKeyRing({ keys: new Map([['k1', k1]]), activeKeyId: 'k1' });
const ring12 = createKeyRing({
  keys: new Map([
    ['k1', k1],
    ['k2', k2],
  ]),
  activeKeyId: 'k2',
});
const aad = { ownerId: 'user-alice', connectionId: 'conn-1', purpose: 'token.access' };
const secret = 'eyJhbGciOi.secret-token-value-0123456789';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof SealError ? e.code : `other:${(e as Error).message}`;
  }
  return undefined;
}

describe('seal/open', () => {
  it('round-trips and carries the key id in a versioned format', () => {
    const sealed = seal(ring1, secret, aad);
    expect(sealed).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(sealed).not.toContain('secret-token');
    expect(inspectSealed(sealed)).toEqual({ version: 'v1', keyId: 'k1' });
    expect(open(ring1, sealed, aad)).toBe(secret);
    // A fresh IV each time: the same secret never produces the same text.
    expect(seal(ring1, secret, aad)).not.toBe(sealed);
  });

  it('detects a flipped bit in every part', () => {
    const sealed = seal(ring1, secret, aad);
    const parts = sealed.split('.');
    for (const i of [2, 3, 4]) {
      const bytes = Buffer.from(parts[i]!, 'base64url');
      bytes[0] = bytes[0]! ^ 1;
      const altered = [...parts];
      altered[i] = bytes.toString('base64url');
      expect(code(() => open(ring1, altered.join('.'), aad))).toBe('SEAL_AUTH_FAILED');
    }
    expect(code(() => open(ring1, sealed.slice(0, -2), aad))).toMatch(
      /SEAL_(AUTH_FAILED|MALFORMED)/,
    );
    expect(code(() => open(ring1, 'not sealed at all', aad))).toBe('SEAL_MALFORMED');
  });

  it('refuses to open a value moved to another owner, connection or purpose', () => {
    const sealed = seal(ring1, secret, aad);
    expect(code(() => open(ring1, sealed, { ...aad, ownerId: 'user-bob' }))).toBe(
      'SEAL_AUTH_FAILED',
    );
    expect(code(() => open(ring1, sealed, { ...aad, connectionId: 'conn-2' }))).toBe(
      'SEAL_AUTH_FAILED',
    );
    expect(code(() => open(ring1, sealed, { ...aad, purpose: 'token.refresh' }))).toBe(
      'SEAL_AUTH_FAILED',
    );
  });

  it('names an unknown key id and refuses a re-labelled key id', () => {
    const sealed = seal(ring12, secret, aad);
    expect(code(() => open(ring1, sealed, aad))).toBe('SEAL_UNKNOWN_KEY');
    // Claiming the value was sealed under k1 does not help: the key id is in the AAD.
    expect(code(() => open(ring12, sealed.replace('v1.k2.', 'v1.k1.'), aad))).toBe(
      'SEAL_AUTH_FAILED',
    );
    expect(code(() => open(ring12, sealed.replace('v1.', 'v9.'), aad))).toBe(
      'SEAL_UNSUPPORTED_VERSION',
    );
    // Old values stay readable after the active key changes.
    expect(open(ring12, seal(ring1, secret, aad), aad)).toBe(secret);
  });

  it('never prints key material', () => {
    const text = JSON.stringify({ ring: ring12 }) + inspect(ring12, { showHidden: true, depth: 5 });
    expect(text).not.toContain(k1.toString('base64'));
    expect(text).not.toContain(k1.toString('hex'));
    expect(text).toContain('k2');
    for (const e of [code(() => open(ring1, seal(ring12, secret, aad), aad))])
      expect(e).not.toContain(secret);
  });
});

describe('key ring', () => {
  it('validates key length, ids and the active key', () => {
    expect(() =>
      createKeyRing({ keys: new Map([['k1', randomBytes(16)]]), activeKeyId: 'k1' }),
    ).toThrow(/32 bytes/);
    expect(() => createKeyRing({ keys: new Map([['k.1', k1]]), activeKeyId: 'k.1' })).toThrow(
      /not valid/,
    );
    expect(() => createKeyRing({ keys: new Map([['k1', k1]]), activeKeyId: 'k2' })).toThrow(
      /not in the key ring/,
    );
    expect(() => createKeyRing({ keys: new Map(), activeKeyId: 'k1' })).toThrow(/no keys/);
  });
});

describe('fingerprintToken', () => {
  const fpKey = randomBytes(32);
  it('is keyed, stable and shows only the last four characters of long tokens', () => {
    const fp = fingerprintToken(fpKey, secret);
    expect(fp).toMatch(/^fp_[0-9a-f]{12}…6789$/);
    expect(isFingerprint(fp)).toBe(true);
    expect(fingerprintToken(fpKey, secret)).toBe(fp);
    expect(fingerprintToken(randomBytes(32), secret)).not.toBe(fp);
    expect(fingerprintToken(fpKey, secret + 'x')).not.toBe(fp);
  });
  it('omits the suffix for short tokens', () => {
    expect(fingerprintToken(fpKey, 'short-token')).toMatch(/^fp_[0-9a-f]{12}$/);
    expect(isFingerprint('Bearer abc')).toBe(false);
  });
});
