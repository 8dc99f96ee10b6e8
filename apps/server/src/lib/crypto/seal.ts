// AES-256-GCM sealing of secrets at rest.
//
// Format (all parts base64url, no padding):  v1.<keyId>.<iv 12 bytes>.<ciphertext>.<tag 16 bytes>
// Associated data binds the value to where it belongs: the format version, the key id, the
// owner, the connection and the purpose. A sealed value copied into another user's row, another
// connection's row or another column fails to open, as does any bit flipped anywhere.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyRing } from './key-ring.ts';

export const SEAL_VERSION = 'v1';

export interface SealAad {
  /** The user the secret belongs to, or a fixed owner such as "connection" for shared secrets. */
  readonly ownerId: string;
  /** The connection the secret is used with. */
  readonly connectionId: string;
  /** What the secret is, e.g. "token.access", "token.refresh", "connection.client_secret". */
  readonly purpose: string;
}

export type SealErrorCode =
  'SEAL_MALFORMED' | 'SEAL_UNKNOWN_KEY' | 'SEAL_UNSUPPORTED_VERSION' | 'SEAL_AUTH_FAILED';

/** Messages never contain the sealed value, the plaintext or key material. */
export class SealError extends Error {
  override readonly name = 'SealError';
  constructor(
    readonly code: SealErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const B64URL = /^[A-Za-z0-9_-]*$/;

function aadBytes(keyId: string, aad: SealAad): Buffer {
  // A JSON array is an unambiguous encoding: no choice of field values can make two
  // different (owner, connection, purpose) triples serialise to the same bytes.
  return Buffer.from(
    JSON.stringify([
      'scim-console.seal',
      SEAL_VERSION,
      keyId,
      aad.ownerId,
      aad.connectionId,
      aad.purpose,
    ]),
    'utf8',
  );
}

function checkAad(aad: SealAad): void {
  for (const field of ['ownerId', 'connectionId', 'purpose'] as const) {
    if (typeof aad[field] !== 'string' || aad[field].length === 0) {
      throw new TypeError(`seal/open: aad.${field} must be a non-empty string`);
    }
  }
}

export function seal(keyRing: KeyRing, plaintext: string, aad: SealAad): string {
  checkAad(aad);
  const keyId = keyRing.activeKeyId;
  const key = keyRing.keyFor(keyId);
  if (!key)
    throw new SealError('SEAL_UNKNOWN_KEY', `Active key "${keyId}" is missing from the key ring.`);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aadBytes(keyId, aad));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    SEAL_VERSION,
    keyId,
    iv.toString('base64url'),
    ciphertext.toString('base64url'),
    tag.toString('base64url'),
  ].join('.');
}

export interface SealedParts {
  readonly version: string;
  readonly keyId: string;
}

/** Reads the version and key id without decrypting (used by rotation to skip current values). */
export function inspectSealed(sealed: string): SealedParts {
  const parts = sealed.split('.');
  if (parts.length !== 5 || !parts.every((p) => B64URL.test(p))) {
    throw new SealError(
      'SEAL_MALFORMED',
      'The sealed value is not in the v1.<key>.<iv>.<data>.<tag> format.',
    );
  }
  return { version: parts[0]!, keyId: parts[1]! };
}

export function open(keyRing: KeyRing, sealed: string, aad: SealAad): string {
  checkAad(aad);
  const { version, keyId } = inspectSealed(sealed);
  if (version !== SEAL_VERSION)
    throw new SealError(
      'SEAL_UNSUPPORTED_VERSION',
      `Sealed format "${version.slice(0, 8)}" is not supported.`,
    );
  const key = keyRing.keyFor(keyId);
  if (!key) {
    throw new SealError(
      'SEAL_UNKNOWN_KEY',
      `The value was sealed with key "${keyId}", which is not in the key ring.`,
    );
  }
  const [, , ivText, dataText, tagText] = sealed.split('.') as [
    string,
    string,
    string,
    string,
    string,
  ];
  const iv = Buffer.from(ivText, 'base64url');
  const tag = Buffer.from(tagText, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new SealError('SEAL_MALFORMED', 'The sealed value has a wrong IV or tag length.');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aadBytes(keyId, aad));
    decipher.setAuthTag(tag);
    return Buffer.concat([
      decipher.update(Buffer.from(dataText, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    // One message for every failure: altered ciphertext, wrong owner/connection/purpose, wrong key.
    throw new SealError(
      'SEAL_AUTH_FAILED',
      'The sealed value failed authentication (altered, or not bound to this owner/connection/purpose).',
    );
  }
}
