/**
 * Typed errors that callers branch on. The API maps them to status codes (400, 404, 409); the engine
 * decides retry by `retryable`.
 */
export class SwitchyardError extends Error {
  override readonly name: string = 'SwitchyardError';
}

/** Bad input; `field` is the path of the offending field (e.g. "traffic.steps[2].weight"). */
export class InvalidInputError extends SwitchyardError {
  override readonly name = 'InvalidInputError';
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/** A request that the promotion's current state does not allow (approve when nothing waits, …). */
export class InvalidTransitionError extends SwitchyardError {
  override readonly name = 'InvalidTransitionError';
  constructor(
    readonly promotionId: string,
    readonly action: string,
    readonly reason: string,
  ) {
    super(`cannot ${action} promotion ${promotionId}: ${reason}`);
  }
}

export class NotFoundError extends SwitchyardError {
  override readonly name = 'NotFoundError';
  constructor(
    readonly kind: string,
    readonly id: string,
  ) {
    super(`${kind} "${id}" not found`);
  }
}

/** The caller may not do this (e.g. approve deleting blue without the right to); the API answers 403. */
export class NotAllowedError extends SwitchyardError {
  override readonly name = 'NotAllowedError';
}

/** A compare-and-swap write lost: someone else changed the record since it was read. */
export class ConflictError extends SwitchyardError {
  // Widened to string so a subclass (the store's FencedError) can name itself.
  override readonly name: string = 'ConflictError';
}

/** The platform already has a promotion that has not finished. */
export class ActivePromotionExistsError extends SwitchyardError {
  override readonly name = 'ActivePromotionExistsError';
  constructor(
    readonly platform: string,
    readonly activePromotionId: string,
  ) {
    super(`platform "${platform}" already has an active promotion: ${activePromotionId}`);
  }
}

/**
 * A request the platform's current state does not allow (its green slot holds a cluster, its live
 * cluster is gone, …); the message says what to do about it.
 */
export class PlatformStateError extends SwitchyardError {
  override readonly name = 'PlatformStateError';
  constructor(
    readonly platform: string,
    readonly reason: string,
  ) {
    super(`platform "${platform}": ${reason}`);
  }
}

/**
 * A provider failure. `retryable` says whether trying again later can succeed (throttling, timeouts,
 * 5xx) or not (validation, access denied).
 */
export class ProviderError extends SwitchyardError {
  override readonly name = 'ProviderError';
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
