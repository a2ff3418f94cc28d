import type { CoreV1Api, CoreV1Event } from '@kubernetes/client-node';
import type { PromotionEvent } from '../../domain/promotion.js';
import type { EventType } from '../../domain/words.js';
import type { PromotionResource } from './objects.js';

/**
 * The log entries a person following a promotion with `kubectl describe` or `kubectl get events` wants
 * to see: its transitions (phase, stage, gate, traffic step, rollback), not retries or notifier trouble,
 * which stay in the promotion's own log. Warning marks the ones that need a person.
 */
const transitions: Readonly<Partial<Record<EventType, 'Normal' | 'Warning'>>> = {
  'promotion.created': 'Normal',
  'promotion.paused': 'Normal',
  'promotion.resumed': 'Normal',
  'promotion.succeeded': 'Normal',
  'promotion.abandoned': 'Warning',
  'stage.started': 'Normal',
  'stage.succeeded': 'Normal',
  'stage.failed': 'Warning',
  'gate.opened': 'Normal',
  'gate.approved': 'Normal',
  'traffic.manual': 'Normal',
  'traffic.verified': 'Normal',
  'rollback.requested': 'Warning',
  'rollback.weights-set': 'Normal',
  'rollback.error': 'Warning',
  'rollback.finished': 'Normal',
  'teardown.requested': 'Normal',
};

export const reportingComponent = 'switchyard';

/** 'rollback.weights-set' → 'RollbackWeightsSet': Kubernetes reasons are CamelCase words. */
export function reasonOf(type: string): string {
  return type
    .split(/[.-]/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

/** The core/v1 Events for the transitions among `events`, on the Promotion they belong to. */
export function kubernetesEventsOf(
  resource: PromotionResource,
  events: readonly PromotionEvent[],
  reportingInstance: string,
): CoreV1Event[] {
  const name = resource.metadata?.name ?? '';
  const namespace = resource.metadata?.namespace ?? '';
  const involvedObject = {
    apiVersion: resource.apiVersion ?? '',
    kind: resource.kind ?? '',
    name,
    namespace,
    uid: resource.metadata?.uid ?? '',
  };
  return events.flatMap((event): CoreV1Event[] => {
    const type = transitions[event.type as EventType];
    if (type === undefined) return [];
    const at = new Date(event.at);
    return [
      {
        metadata: { generateName: `${name}.`, namespace },
        involvedObject,
        reason: reasonOf(event.type),
        // The apiserver caps a message at 1 KiB.
        message: event.message.slice(0, 1_000),
        type,
        count: 1,
        firstTimestamp: at,
        lastTimestamp: at,
        source: { component: reportingComponent },
        reportingComponent,
        reportingInstance,
      },
    ];
  });
}

/** Creates them one by one; a failure is the caller's to log, it never undoes the committed write. */
export async function recordKubernetesEvents(
  core: Pick<CoreV1Api, 'createNamespacedEvent'>,
  namespace: string,
  events: readonly CoreV1Event[],
): Promise<void> {
  for (const body of events) await core.createNamespacedEvent({ namespace, body });
}
