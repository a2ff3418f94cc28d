/**
 * Which failures are answers (the request or action cannot be done as things stand: say so on the
 * resource and wait for the next spec edit) and which are accidents (a network error, AWS throttling,
 * a lost compare-and-swap: try the same again later).
 */
import {
  ActivePromotionExistsError,
  InvalidInputError,
  InvalidTransitionError,
  NotAllowedError,
  NotFoundError,
  PlatformStateError,
} from '../../domain/errors.js';

export function isRefusal(error: unknown): boolean {
  return (
    error instanceof InvalidInputError ||
    error instanceof InvalidTransitionError ||
    error instanceof NotFoundError ||
    error instanceof PlatformStateError ||
    error instanceof ActivePromotionExistsError ||
    error instanceof NotAllowedError
  );
}
