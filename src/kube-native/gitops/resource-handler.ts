/**
 * What the controller does about one Promotion resource, given the latest copy of it: start the
 * promotion a person applied, or act on the spec edits not yet acted on, as the REST calls do. Each
 * outcome is recorded on the resource (the observed-spec annotation, and a Warning Event for a refusal),
 * so a resource is acted on once per spec generation; an accident (network, AWS, a lost write) throws
 * and the caller tries again later, with nothing recorded.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { PlatformCatalog } from '../../api/catalog.js';
import { errorMessage } from '../../domain/retryable.js';
import { greenPercent } from '../../domain/weights.js';
import type { Controller } from '../../engine/controller.js';
import { promotionSpecSchema } from '../promotion-spec.js';
import { specActor } from './field-manager.js';
import { laterObserved, type ObservedSpec, observedSpecOf, type SpecActionFields } from './observed-spec.js';
import { isRefusal } from './refusal.js';
import { promotionRequestOf } from './request.js';
import { generationOf, type PromotionResource, roleOf } from './resource.js';
import { nothingObserved, type SpecAction, specActions } from './spec-diff.js';

/** Event reasons, as `kubectl describe promotion` lists them. */
export const refusedRequestReason = 'PromotionRefused';
export const refusedActionReason = 'SpecActionRefused';

/** A refused request is not tried again on its own: the Event says what does. */
export const retryHint = 'to try again, delete this Promotion and apply it again';

export interface ResourcePorts {
  readonly controller: Pick<Controller, 'startPromotion' | 'pause' | 'resume' | 'rollback' | 'setWeight'>;
  readonly catalog: Pick<PlatformCatalog, 'newPromotion'>;
  /** Records a Warning Event on the resource. */
  warn(resource: PromotionResource, reason: string, message: string): Promise<void>;
  /** Records that the spec of this generation was acted on (the observed-spec annotation). */
  markObserved(resource: PromotionResource, generation: number, spec: SpecActionFields): Promise<void>;
  /**
   * Remembers in this process only that the spec of this generation needs nothing done, so a copy from
   * before (the watch lags behind the writes) is not handled again; nothing is written.
   */
  remember(resource: PromotionResource, generation: number, spec: SpecActionFields): void;
  /** What this process last marked or remembered on the resource (see MarkedSpecs). */
  lastMarked(resource: PromotionResource): ObservedSpec | undefined;
  readonly log: Logger;
}

export async function handlePromotionResource(resource: PromotionResource, ports: ResourcePorts) {
  const role = roleOf(resource);
  // The store finishes (or, after 30 s, clears away) an API create of its own; it is not a request.
  if (role === 'interrupted-api-create') return;
  const observed = laterObserved(observedSpecOf(resource), ports.lastMarked(resource));
  const generation = generationOf(resource);
  if (observed !== undefined && observed.generation >= generation) return;
  if (role === 'request') return startRequested(resource, generation, ports);
  return actOnSpec(resource, generation, observed ?? nothingObserved, ports);
}

/**
 * Starts the promotion a resource asks for. A refusal is recorded against this generation, so the
 * request waits for its next spec edit (or for being deleted and applied again) instead of being tried
 * on every pass. Once started, the actions in the applied spec (paused: true, say) are acted on too.
 */
async function startRequested(resource: PromotionResource, generation: number, ports: ResourcePorts) {
  const { name } = resource.metadata;
  let spec: SpecActionFields;
  try {
    const request = promotionRequestOf(resource);
    spec = specFieldsOf(resource);
    const input = await ports.catalog.newPromotion(request);
    const started = await ports.controller.startPromotion(input);
    ports.log.info(
      { promotionId: started.id, createdBy: request.createdBy },
      `promotion ${name} started from its Promotion resource`,
    );
  } catch (error) {
    if (!isRefusal(error)) throw error;
    const message = errorMessage(error);
    ports.log.warn({ promotionId: name, err: error }, `Promotion ${name} refused: ${message}`);
    await ports.warn(resource, refusedRequestReason, `${message}; ${retryHint}`);
    await ports.markObserved(resource, generation, specFieldsOf(resource));
    return;
  }
  await actOnSpec(resource, generation, nothingObserved, ports, spec);
}

async function actOnSpec(
  resource: PromotionResource,
  generation: number,
  observed: SpecActionFields,
  ports: ResourcePorts,
  spec: SpecActionFields = specFieldsOf(resource),
) {
  const actions = specActions(observed, spec);
  // Nothing asked (an API-made promotion, an applied one without actions): no mark either. A mark
  // changes the resourceVersion, so a status write of the store under way would lose its compare-and-swap.
  if (actions.length === 0) {
    ports.remember(resource, generation, spec);
    return;
  }
  for (const action of actions) {
    if (alreadyDone(resource, action)) continue;
    try {
      await act(resource, action, ports);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      const message = errorMessage(error);
      ports.log.warn({ promotionId: resource.metadata.name, err: error }, message);
      await ports.warn(resource, refusedActionReason, `spec.${fieldOf(action)}: ${message}`);
    }
  }
  await ports.markObserved(resource, generation, spec);
}

function act(resource: PromotionResource, action: SpecAction, ports: ResourcePorts) {
  const id = resource.metadata.name;
  const by = specActor(resource, fieldOf(action));
  switch (action.kind) {
    case 'rollback':
      return ports.controller.rollback(id, { ...action.request, by });
    case 'pause':
      return ports.controller.pause(id, by, `spec.paused set by ${by}`);
    case 'resume':
      return ports.controller.resume(id, by);
    case 'weight':
      return ports.controller.setWeight(id, greenPercent(action.green, 'spec.weight.green'), by);
  }
}

/**
 * A manual weight the record already carries is not set again: a repeat (the controller acted, then
 * stopped before recording it) would otherwise pause the promotion once more. Pause, resume and
 * rollback need no such check, since the command refuses a repeat.
 */
function alreadyDone(resource: PromotionResource, action: SpecAction): boolean {
  if (action.kind !== 'weight') return false;
  const traffic = resource.status?.traffic;
  return (
    traffic?.manualChange?.green === action.green ||
    (traffic?.manual === true && traffic.manualChange === undefined && traffic.green === action.green)
  );
}

function fieldOf(action: SpecAction): 'rollback' | 'paused' | 'weight' {
  return action.kind === 'pause' || action.kind === 'resume' ? 'paused' : action.kind;
}

const actionFieldsSchema = z.object(
  promotionSpecSchema.pick({ paused: true, rollback: true, weight: true }).shape,
);

/**
 * The action fields alone (other keys dropped): a request refused for its platform or version still has
 * them, and what the apiserver let through its own checks of the same schema parses here.
 */
function specFieldsOf(resource: PromotionResource): SpecActionFields {
  const parsed = actionFieldsSchema.safeParse(resource.spec);
  return parsed.success ? parsed.data : {};
}
