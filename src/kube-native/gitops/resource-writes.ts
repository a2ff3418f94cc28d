/**
 * The two writes the GitOps controller makes on a Promotion resource: a Warning Event saying why a
 * request or an action was refused, and the observed-spec annotation saying what was acted on.
 */
import {
  ApiException,
  type CoreV1Api,
  type CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { crdApiVersion, crdGroup, crdVersion, promotionNames } from '../crds.js';
import { observedSpecAnnotation, observedSpecText, type SpecActionFields } from './observed-spec.js';
import type { PromotionResource } from './resource.js';

/** The component named in the Events (kubectl describe shows it as From). */
export const eventSource = 'switchyard';

/** The apiserver stores an Event's message up to 1 kB for events.k8s.io; stay within it for both APIs. */
const messageLimit = 1024;

export function warningEventWriter(core: CoreV1Api, namespace: string, now: () => Date = () => new Date()) {
  return async (resource: PromotionResource, reason: string, message: string): Promise<void> => {
    const { name, uid, resourceVersion } = resource.metadata;
    const at = now();
    await core.createNamespacedEvent({
      namespace,
      body: {
        metadata: { generateName: `${name}.`, namespace },
        involvedObject: {
          apiVersion: crdApiVersion,
          kind: promotionNames.kind,
          name,
          namespace,
          ...(uid === undefined ? {} : { uid }),
          ...(resourceVersion === undefined ? {} : { resourceVersion }),
        },
        type: 'Warning',
        reason,
        message: message.length > messageLimit ? `${message.slice(0, messageLimit - 1)}…` : message,
        firstTimestamp: at,
        lastTimestamp: at,
        count: 1,
        source: { component: eventSource },
        reportingComponent: eventSource,
      },
    });
  };
}

/** Sends a plain object as a JSON merge patch (the client's default for one is a JSON patch). */
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * A merge patch of metadata only: it leaves spec and status alone and does not bump the generation. The
 * uid in it holds it to the object that was read (the apiserver refuses a different uid as immutable),
 * so a resource deleted and applied again meanwhile is not marked; one deleted has nothing to mark.
 */
export function observedSpecWriter(objects: CustomObjectsApi, namespace: string) {
  return async (resource: PromotionResource, generation: number, spec: SpecActionFields): Promise<void> => {
    const { uid } = resource.metadata;
    const annotations = { [observedSpecAnnotation]: observedSpecText(generation, spec) };
    const body = { metadata: { ...(uid === undefined ? {} : { uid }), annotations } };
    try {
      await objects.patchNamespacedCustomObject(
        {
          group: crdGroup,
          version: crdVersion,
          namespace,
          plural: promotionNames.plural,
          name: resource.metadata.name,
          // Names the writer in managedFields (the client would be named by its user agent otherwise).
          fieldManager: eventSource,
          body,
        },
        mergePatch,
      );
    } catch (error) {
      if (!(error instanceof ApiException && (error.code === 404 || replaced(error)))) throw error;
    }
  };
}

function replaced(error: ApiException<unknown>): boolean {
  return error.code === 422 && String(error.body).includes('metadata.uid');
}
