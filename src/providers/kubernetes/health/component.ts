import type { V1DaemonSet, V1Deployment, V1StatefulSet } from '@kubernetes/client-node';
import type { CheckResult } from '../../../domain/ports.js';
import { judgeImage } from './image.js';
import { isNotFound, type KubeClients, kubeCall } from './kube-client.js';
import type { ComponentSpec } from './spec.js';
import {
  judgeDaemonSet,
  judgeDeployment,
  judgeStatefulSet,
  type StatusJudgement,
} from './workload-status.js';

export type Workload = V1Deployment | V1DaemonSet | V1StatefulSet;

export function componentCheckName(component: ComponentSpec): string {
  return `component/${component.name}`;
}

/**
 * Judges one foundation component from its workload object (undefined: it does not exist). Missing →
 * fail (pass when optional); wrong image → fail; otherwise the rollout status decides.
 */
export function judgeComponent(component: ComponentSpec, workload: Workload | undefined): CheckResult {
  const name = componentCheckName(component);
  const object = `${component.kind} ${component.namespace}/${component.workload}`;
  if (workload === undefined) {
    return component.optional
      ? { name, verdict: 'pass', evidence: `${object} not installed (optional)` }
      : { name, verdict: 'fail', evidence: `${object} not found` };
  }
  const status = judgeStatus(component, workload);
  if (component.image === undefined) {
    return { name, verdict: status.verdict, evidence: `${object}: ${status.evidence}` };
  }
  const image = judgeImage(workload.spec?.template, component.image, component.container);
  return {
    name,
    verdict: image.ok ? status.verdict : 'fail',
    evidence: `${object}: ${status.evidence}; ${image.evidence}`,
  };
}

function judgeStatus(component: ComponentSpec, workload: Workload): StatusJudgement {
  switch (component.kind) {
    case 'Deployment':
      return judgeDeployment(workload as V1Deployment, component.minReady);
    case 'DaemonSet':
      return judgeDaemonSet(workload as V1DaemonSet);
    case 'StatefulSet':
      return judgeStatefulSet(workload as V1StatefulSet, component.minReady);
  }
}

/** Reads the component's workload; a 404 means "not installed", any other failure is a ProviderError. */
export async function readWorkload(
  clients: KubeClients,
  component: ComponentSpec,
): Promise<Workload | undefined> {
  const request = { name: component.workload, namespace: component.namespace };
  const action = `read ${component.kind} ${component.namespace}/${component.workload} (${component.name})`;
  return kubeCall(clients, action, async (options) => {
    try {
      switch (component.kind) {
        case 'Deployment':
          return await clients.apps.readNamespacedDeployment(request, options);
        case 'DaemonSet':
          return await clients.apps.readNamespacedDaemonSet(request, options);
        case 'StatefulSet':
          return await clients.apps.readNamespacedStatefulSet(request, options);
      }
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  });
}

export async function checkComponent(clients: KubeClients, component: ComponentSpec): Promise<CheckResult> {
  return judgeComponent(component, await readWorkload(clients, component));
}
