/**
 * Password hashing with argon2id (@node-rs/argon2's default algorithm), OWASP parameters
 * m=19 MiB, t=2, p=1. `verifyPasswordOrDummy` does the same work whether or not an account
 * exists, so the time to answer does not reveal which usernames are real.
 */
import { hash, verify } from '@node-rs/argon2';

const PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, PARAMS);
}

let dummyHash: Promise<string> | undefined;

/** Verifies against `stored`, or against a fixed dummy hash when there is no account/hash. */
export async function verifyPasswordOrDummy(
  stored: string | null | undefined,
  password: string,
): Promise<boolean> {
  if (!stored) {
    dummyHash ??= hash('not-a-real-password-' + Math.random().toString(36), PARAMS);
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}
