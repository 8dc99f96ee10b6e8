import type { Kysely } from 'kysely';

/** A frozen migration. Receives the dialect where portable DDL is not possible. */
export interface Migration {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types
  up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void>;
}
