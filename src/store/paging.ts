import { InvalidInputError } from '../domain/errors.js';
import type { EventPageRequest, PromotionFilter } from './store.js';

export const defaultListLimit = 50;

export interface Page {
  readonly limit: number;
  readonly offset: number;
}

/** The filter's paging with defaults applied; rejected early so no store has to guess what -1 means. */
export function pageOf(filter: PromotionFilter | undefined): Page {
  const limit = filter?.limit ?? defaultListLimit;
  const offset = filter?.offset ?? 0;
  wholeNumber('limit', limit);
  wholeNumber('offset', offset);
  return { limit, offset };
}

/** The request, checked the same way for every store. */
export function eventPageOf(request: EventPageRequest): EventPageRequest {
  wholeNumber('limit', request.limit);
  if (request.afterSeq !== undefined) wholeNumber('afterSeq', request.afterSeq);
  return request;
}

function wholeNumber(field: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidInputError(field, `must be a whole number of 0 or more, got ${value}`);
  }
}
