import { ConflictError, SwitchyardError } from '../domain/errors.js';

/**
 * Another process holds the database. Two controllers driving the same promotions would fight over
 * traffic weights, so the second one refuses to start instead of waiting.
 */
export class StoreLockedError extends SwitchyardError {
  override readonly name = 'StoreLockedError';
  constructor(
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(
      `${path} is in use by another Switchyard controller; only one controller may use a database at a time`,
      options,
    );
  }
}

/** Every store builds its conflicts here so callers see the same messages whichever store runs. */
export function staleWriteError(id: string, expected: number, stored: number): ConflictError {
  return new ConflictError(
    `promotion "${id}" changed since it was read: write based on version ${expected}, stored version is ${stored}`,
  );
}

export function duplicateIdError(id: string): ConflictError {
  return new ConflictError(`promotion "${id}" already exists`);
}

export function closedStoreError(): Error {
  return new Error('promotion store is closed');
}

/**
 * A write found a newer leader's epoch on the promotion: this replica no longer leads and must not act.
 * A ConflictError, so callers that stop and re-read after a lost compare-and-swap stop here too.
 */
export class FencedError extends ConflictError {
  override readonly name = 'FencedError';
  constructor(
    /** The promotion's id, or the fleet run's when `kind` says so. */
    readonly promotionId: string,
    readonly storedEpoch: number,
    readonly ourEpoch: number,
    kind: 'promotion' | 'fleet run' = 'promotion',
  ) {
    super(
      `${kind} "${promotionId}" is fenced: a newer leader (epoch ${storedEpoch}) wrote it; this replica's epoch is ${ourEpoch}`,
    );
  }
}

/** A fleet run's compare-and-swap lost: every store says it the same way. */
export function staleRunWriteError(id: string, expected: number, stored: number): ConflictError {
  return new ConflictError(
    `fleet run "${id}" changed since it was read: write based on version ${expected}, stored version is ${stored}`,
  );
}

export function duplicateRunError(id: string): ConflictError {
  return new ConflictError(`fleet run "${id}" already exists`);
}
