import type { TokenKind } from '../auth/token.verifier.ts';

export interface RequestRecord {
  readonly at: string;
  /** Token subject (`sub`), or null when the call carried no valid token. */
  readonly subject: string | null;
  readonly username: string | null;
  readonly tokenKind: TokenKind;
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** Raw query string (no leading '?'); never holds credentials. */
  readonly query: string;
  readonly status: number;
}

const MAX_RECORDS = 20_000;

/** Who made each SCIM call: lets tests prove whose token was used. Never holds tokens. */
export class RequestLog {
  #records: RequestRecord[] = [];

  add(record: RequestRecord): void {
    this.#records.push(record);
    if (this.#records.length > MAX_RECORDS) this.#records = this.#records.slice(-MAX_RECORDS / 2);
  }

  /** Records at or after `since` (epoch ms). */
  list(since?: number): readonly RequestRecord[] {
    if (since === undefined) return this.#records;
    return this.#records.filter((r) => Date.parse(r.at) >= since);
  }

  clear(): void {
    this.#records = [];
  }
}
