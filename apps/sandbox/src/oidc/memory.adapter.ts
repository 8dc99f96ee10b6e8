import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  expiresAt: number | undefined;
}

/**
 * oidc-provider storage for one sandbox instance. Unlike the built-in LRU adapter it can be
 * enumerated, which `/_sandbox/revoke` needs to find every grant of an account.
 */
export class MemoryStorage {
  readonly #entries = new Map<string, Entry>();
  readonly #byGrant = new Map<string, Set<string>>();
  readonly #byUid = new Map<string, string>();
  readonly #byUserCode = new Map<string, string>();

  adapterFor(model: string): Adapter {
    const key = (id: string): string => `${model}:${id}`;
    const read = (fullKey: string | undefined): AdapterPayload | undefined => {
      if (!fullKey) return undefined;
      const entry = this.#entries.get(fullKey);
      if (!entry) return undefined;
      if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
        this.#entries.delete(fullKey);
        return undefined;
      }
      return entry.payload;
    };
    return {
      upsert: async (id, payload, expiresIn) => {
        const fullKey = key(id);
        this.#entries.set(fullKey, {
          payload,
          expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined,
        });
        if (payload.grantId) {
          const set = this.#byGrant.get(payload.grantId) ?? new Set<string>();
          set.add(fullKey);
          this.#byGrant.set(payload.grantId, set);
        }
        if (payload.uid) this.#byUid.set(payload.uid, fullKey);
        if (payload.userCode) this.#byUserCode.set(payload.userCode, fullKey);
      },
      find: async (id) => read(key(id)),
      findByUid: async (uid) => read(this.#byUid.get(uid)),
      findByUserCode: async (userCode) => read(this.#byUserCode.get(userCode)),
      consume: async (id) => {
        const entry = this.#entries.get(key(id));
        if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
      },
      destroy: async (id) => {
        this.#entries.delete(key(id));
      },
      revokeByGrantId: async (grantId) => {
        this.revokeGrant(grantId);
      },
    };
  }

  revokeGrant(grantId: string): void {
    for (const fullKey of this.#byGrant.get(grantId) ?? []) this.#entries.delete(fullKey);
    this.#byGrant.delete(grantId);
    this.#entries.delete(`Grant:${grantId}`);
  }

  /** Remove every grant (and so every refresh token) and session of an account. */
  revokeAccount(accountId: string): number {
    let revoked = 0;
    for (const [fullKey, entry] of [...this.#entries]) {
      if (entry.payload.accountId !== accountId) continue;
      if (fullKey.startsWith('Grant:')) {
        this.revokeGrant(fullKey.slice('Grant:'.length));
        revoked++;
      } else if (fullKey.startsWith('Session:')) {
        this.#entries.delete(fullKey);
      }
    }
    return revoked;
  }
}
