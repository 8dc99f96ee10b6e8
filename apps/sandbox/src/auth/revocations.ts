/**
 * Per-subject revocation generation. Access tokens are stateless JWTs, so revoking a user
 * bumps their generation and every token carries the generation it was issued under
 * (`sbx_gen` claim): tokens from an older generation are refused, tokens issued after the
 * revocation work at once (no same-second ambiguity as with an `iat` cut-off).
 */
export class Revocations {
  readonly #generations = new Map<string, number>();

  generation(subject: string): number {
    return this.#generations.get(subject) ?? 0;
  }

  revoke(subject: string): void {
    this.#generations.set(subject, this.generation(subject) + 1);
  }
}

export const GENERATION_CLAIM = 'sbx_gen';
