// The key ring: key id → 256-bit AES key, exactly one of them active for new seals.
// Keys live only inside this closure; the ring object never serialises or prints them
// (toJSON / util.inspect show ids only), so logging a config or a ring by mistake
// cannot leak key material.
import { inspect } from 'node:util';

export interface EncryptionConfig {
  readonly keys: ReadonlyMap<string, Buffer>;
  readonly activeKeyId: string;
}

export interface KeyRing {
  readonly activeKeyId: string;
  /** Every known key id, active first. */
  readonly keyIds: readonly string[];
  has(keyId: string): boolean;
  /** @internal used by seal/open only. */
  keyFor(keyId: string): Buffer | undefined;
}

/** Key ids appear inside the sealed format, whose separator is '.'. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
export const KEY_BYTES = 32;

export class KeyRingError extends Error {
  override readonly name = 'KeyRingError';
}

export function createKeyRing(config: EncryptionConfig): KeyRing {
  if (config.keys.size === 0) throw new KeyRingError('The key ring has no keys.');
  const keys = new Map<string, Buffer>();
  for (const [id, key] of config.keys) {
    if (!KEY_ID_PATTERN.test(id)) {
      throw new KeyRingError(
        `Key id "${id.slice(0, 40)}" is not valid: use 1–32 letters, digits, '_' or '-'.`,
      );
    }
    if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
      throw new KeyRingError(
        `Key "${id}" must be exactly ${KEY_BYTES} bytes (generate one with: openssl rand -base64 32).`,
      );
    }
    // Copy so that a caller zeroing or reusing its buffer cannot change the ring.
    keys.set(id, Buffer.from(key));
  }
  if (!keys.has(config.activeKeyId)) {
    throw new KeyRingError(`The active key "${config.activeKeyId}" is not in the key ring.`);
  }
  const keyIds = Object.freeze([
    config.activeKeyId,
    ...[...keys.keys()].filter((k) => k !== config.activeKeyId),
  ]);
  const ring: KeyRing = {
    activeKeyId: config.activeKeyId,
    keyIds,
    has: (keyId) => keys.has(keyId),
    keyFor: (keyId) => keys.get(keyId),
  };
  const safe = { activeKeyId: ring.activeKeyId, keyIds };
  Object.defineProperty(ring, 'toJSON', { value: () => safe, enumerable: false });
  Object.defineProperty(ring, inspect.custom, {
    value: () => `KeyRing(${keyIds.join(', ')}; active ${ring.activeKeyId})`,
    enumerable: false,
  });
  return Object.freeze(ring);
}

const ringsByConfig = new WeakMap<EncryptionConfig, KeyRing>();

/**
 * The key ring for a loaded config, built once per config object: modules call
 * `keyRingFor(app.config.encryption)` instead of threading a ring through every plugin.
 */
export function keyRingFor(config: EncryptionConfig): KeyRing {
  let ring = ringsByConfig.get(config);
  if (!ring) {
    ring = createKeyRing(config);
    ringsByConfig.set(config, ring);
  }
  return ring;
}
