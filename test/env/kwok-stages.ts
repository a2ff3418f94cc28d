/**
 * kwok's Stage resources for our fake kubelets: how a pod on a fake node goes from scheduled to Ready,
 * how it fails when a test asks for a fault (faults.ts), how a node reports Ready and keeps its
 * heartbeat fresh, and how it goes NotReady. kwok matches each pod or node against every stage's
 * selector and applies the one that matches after its delay; the selectors below are written so that at
 * most one stage matches any object at a time.
 *
 * The templates are Go templates rendered by kwok against the object (as JSON); their output is a
 * strategic-merge patch of the status, so conditions merge by type and unnamed fields keep their values.
 */
import { stringify } from 'yaml';
import { nodeFaultLabel, nodeFaults, podFaultLabel, podFaults } from './faults.js';

type Requirement =
  | { key: string; operator: 'In' | 'NotIn'; values: string[] }
  | { key: string; operator: 'Exists' | 'DoesNotExist' };

interface StageOptions {
  readonly kind: 'Pod' | 'Node';
  readonly match: Requirement[];
  /** Delay before the stage applies, plus up to `jitterMs` at random (so pods don't move in lockstep). */
  readonly delayMs: number;
  readonly jitterMs?: number;
  readonly statusTemplate?: string;
  readonly event?: { type: 'Normal' | 'Warning'; reason: string; message: string };
  readonly deletePod?: boolean;
}

function stage(name: string, options: StageOptions): object {
  const steps: object[] = [];
  if (options.event) steps.push({ event: options.event });
  if (options.statusTemplate) {
    steps.push({
      patch: { subresource: 'status', root: 'status', type: 'strategic', template: options.statusTemplate },
    });
  }
  if (options.deletePod) steps.push({ delete: true });
  return {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'Stage',
    metadata: { name },
    spec: {
      resourceRef: { apiGroup: 'v1', kind: options.kind },
      selector: { matchExpressions: options.match },
      delay: {
        durationMilliseconds: options.delayMs,
        jitterDurationMilliseconds: options.delayMs + (options.jitterMs ?? 0),
      },
      steps,
    },
  };
}

// --- selectors --------------------------------------------------------------------------------------

const label = (key: string) => `.metadata.labels["${key}"]`;
const condition = (type: string) => `.status.conditions.[] | select( .type == "${type}" ) | .status`;
const waitingReasons = '.status.containerStatuses.[].state.waiting.reason';

const notDeleted: Requirement = { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' };
const hasPodIP: Requirement = { key: '.status.podIP', operator: 'Exists' };
const podFaultValues = Object.values(podFaults) as string[];
const healthyPod: Requirement = { key: label(podFaultLabel), operator: 'NotIn', values: podFaultValues };
const podFault = (fault: string): Requirement => ({
  key: label(podFaultLabel),
  operator: 'In',
  values: [fault],
});
const phase = (...values: string[]): Requirement => ({ key: '.status.phase', operator: 'In', values });
const nodeFaulty: Requirement = { key: label(nodeFaultLabel), operator: 'In', values: [nodeFaults.notReady] };
const nodeHealthy: Requirement = {
  key: label(nodeFaultLabel),
  operator: 'NotIn',
  values: [nodeFaults.notReady],
};

// --- template pieces ----------------------------------------------------------------------------------

/**
 * Reads what the kubelet last reported for container $c: $restarts (its restart count, 0 for a new
 * pod), $waiting (the reason it was waiting, if it was) and $startedAt (when it started, if running).
 * Go templates fail on a field of a missing object, hence the nested withs.
 */
const previousStatus = `{{ $restarts := 0 }}{{ $waiting := "" }}{{ $startedAt := "" }}
{{ range $root.status.containerStatuses }}{{ if eq .name $c.name }}
{{ $restarts = or .restartCount 0 }}
{{ with .state }}{{ with .waiting }}{{ $waiting = .reason }}{{ end }}{{ with .running }}{{ $startedAt = .startedAt }}{{ end }}{{ end }}
{{ end }}{{ end }}`;

function podConditions(ready: boolean, reason = 'ContainersNotReady'): string {
  const status = ready ? '"True"' : '"False"';
  // The patch merges conditions by type, so a Ready condition must drop the reason it had when not ready.
  const why = ready ? '\n  reason: null\n  message: null' : `\n  reason: ${reason}`;
  return `conditions:
- type: PodReadyToStartContainers
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
- type: Initialized
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
- type: ContainersReady
  status: ${status}
  lastTransitionTime: {{ $now | Quote }}${why}
- type: Ready
  status: ${status}
  lastTransitionTime: {{ $now | Quote }}${why}`;
}

/** Init containers (if any) ran to completion before the main containers started. */
const initContainersCompleted = `{{ with .spec.initContainers }}
initContainerStatuses:
{{ range . }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  imageID: ""
  ready: true
  restartCount: 0
  state:
    terminated:
      exitCode: 0
      reason: Completed
      startedAt: {{ $now | Quote }}
      finishedAt: {{ $now | Quote }}
{{ end }}
{{ end }}`;

/** Every container's status, with `state` (already indented) filled in for each container $c. */
function containerStatuses(fields: string): string {
  return `containerStatuses:
{{ range $c := .spec.containers }}
${previousStatus}
- name: {{ $c.name | Quote }}
  image: {{ $c.image | Quote }}
  imageID: ""
${fields}
{{ end }}`;
}

const preamble = '{{ $now := Now }}{{ $root := . }}';

// --- pod stages ---------------------------------------------------------------------------------------

const podStages = [
  // The scheduler has bound the pod to one of our nodes: the sandbox gets an IP, containers are created.
  stage('pod-sandbox', {
    kind: 'Pod',
    match: [notDeleted, { key: '.status.podIP', operator: 'DoesNotExist' }],
    delayMs: 0,
    jitterMs: 100,
    statusTemplate: `${preamble}
phase: Pending
startTime: {{ $now | Quote }}
hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}
${podConditions(false)}
${containerStatuses(`  ready: false
  started: false
  restartCount: 0
  state:
    waiting:
      reason: ContainerCreating`)}`,
  }),
  // Containers start (also after an image-pull fault is cleared); readiness comes next.
  stage('pod-running', {
    kind: 'Pod',
    match: [notDeleted, healthyPod, hasPodIP, phase('Pending')],
    delayMs: 100,
    jitterMs: 150,
    event: { type: 'Normal', reason: 'Started', message: 'Started container' },
    statusTemplate: `${preamble}
phase: Running
${podConditions(false)}
${initContainersCompleted}
${containerStatuses(`  ready: false
  started: true
  restartCount: {{ $restarts }}
  state:
    running:
      startedAt: {{ $now | Quote }}`)}`,
  }),
  // Readiness probes pass (also after a crash-loop fault is cleared: the container stays up).
  stage('pod-ready', {
    kind: 'Pod',
    match: [
      notDeleted,
      healthyPod,
      phase('Running'),
      { key: condition('Ready'), operator: 'NotIn', values: ['True'] },
    ],
    delayMs: 100,
    jitterMs: 150,
    statusTemplate: `${preamble}
${podConditions(true)}
${containerStatuses(`  ready: true
  started: true
  restartCount: {{ $restarts }}
  state:
    running:
      startedAt: {{ or $startedAt $now | Quote }}`)}`,
  }),
  // The kubelet has stopped the containers of a deleted pod; the pod object goes away.
  stage('pod-delete', {
    kind: 'Pod',
    match: [
      { key: '.metadata.deletionTimestamp', operator: 'Exists' },
      { key: '.metadata.finalizers', operator: 'DoesNotExist' },
    ],
    delayMs: 100,
    jitterMs: 200,
    deletePod: true,
  }),
  ...crashLoopStages(),
  ...imagePullStages(),
];

/** Each application is one more crash: the container exited 1 and waits out its back-off. */
function crashLoopStages(): object[] {
  const crash = (name: string, delayMs: number, reasonMatch: Requirement) =>
    stage(name, {
      kind: 'Pod',
      match: [notDeleted, podFault(podFaults.crashLoop), hasPodIP, reasonMatch],
      delayMs,
      jitterMs: 100,
      event: { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container' },
      statusTemplate: `${preamble}
phase: Running
${podConditions(false)}
${initContainersCompleted}
${containerStatuses(`  ready: false
  started: false
  restartCount: {{ add1 $restarts }}
  lastState:
    terminated:
      exitCode: 1
      reason: Error
      startedAt: {{ $now | Quote }}
      finishedAt: {{ $now | Quote }}
  state:
    waiting:
      reason: CrashLoopBackOff
      message: {{ printf "back-off restarting failed container=%s pod=%s_%s" $c.name $root.metadata.name $root.metadata.namespace | Quote }}`)}`,
    });
  return [
    crash('pod-crash', 200, { key: waitingReasons, operator: 'NotIn', values: ['CrashLoopBackOff'] }),
    // Real back-off doubles from 10 s; a second keeps tests short while the count still climbs.
    crash('pod-crash-again', 1_000, { key: waitingReasons, operator: 'In', values: ['CrashLoopBackOff'] }),
  ];
}

/** The pull fails (ErrImagePull), the kubelet backs off (ImagePullBackOff), tries again, and so on. */
function imagePullStages(): object[] {
  const pullFailure = (name: string, delayMs: number, reasonMatch: Requirement) =>
    stage(name, {
      kind: 'Pod',
      match: [notDeleted, podFault(podFaults.imagePull), hasPodIP, phase('Pending'), reasonMatch],
      delayMs,
      jitterMs: 100,
      event: { type: 'Warning', reason: 'Failed', message: 'Failed to pull image' },
      statusTemplate: `${preamble}
${podConditions(false)}
${containerStatuses(`  ready: false
  started: false
  restartCount: 0
  state:
    waiting:
      {{ if eq $waiting "ErrImagePull" }}
      reason: ImagePullBackOff
      message: {{ printf "Back-off pulling image %q" $c.image | Quote }}
      {{ else }}
      reason: ErrImagePull
      message: {{ printf "failed to pull and unpack image %q: not found" $c.image | Quote }}
      {{ end }}`)}`,
    });
  const pullReasons = ['ErrImagePull', 'ImagePullBackOff'];
  return [
    pullFailure('pod-image-pull-failed', 200, {
      key: waitingReasons,
      operator: 'NotIn',
      values: pullReasons,
    }),
    pullFailure('pod-image-pull-retry', 1_500, { key: waitingReasons, operator: 'In', values: pullReasons }),
  ];
}

// --- node stages --------------------------------------------------------------------------------------

function nodeConditions(ready: boolean): string {
  const readiness = ready
    ? 'status: "True"\n  reason: KubeletReady\n  message: kubelet is posting ready status'
    : 'status: "False"\n  reason: KubeletNotReady\n  message: "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady"';
  const pressure = (type: string, reason: string, message: string) => `- type: ${type}
  status: "False"
  reason: ${reason}
  message: ${message}
  lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ or $root.metadata.creationTimestamp $now | Quote }}`;
  return `conditions:
${pressure('MemoryPressure', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available')}
${pressure('DiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure')}
${pressure('PIDPressure', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available')}
- type: Ready
  ${readiness}
  lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $now | Quote }}`;
}

const nodeStages = [
  // A new node's kubelet (or one whose fault was cleared) reports Ready.
  stage('node-ready', {
    kind: 'Node',
    match: [nodeHealthy, { key: condition('Ready'), operator: 'NotIn', values: ['True'] }],
    delayMs: 0,
    jitterMs: 100,
    statusTemplate: `${preamble}\n${nodeConditions(true)}`,
  }),
  // Kubelets refresh their conditions' heartbeats now and then (their Lease, which kwok renews, is what
  // the node-lifecycle controller mostly watches); only the heartbeat times change.
  stage('node-heartbeat', {
    kind: 'Node',
    match: [nodeHealthy, { key: condition('Ready'), operator: 'In', values: ['True'] }],
    delayMs: 15_000,
    jitterMs: 10_000,
    statusTemplate: `{{ $now := Now }}
conditions:
{{ range .status.conditions }}
- type: {{ .type | Quote }}
  lastHeartbeatTime: {{ $now | Quote }}
{{ end }}`,
  }),
  stage('node-not-ready', {
    kind: 'Node',
    match: [nodeFaulty, { key: condition('Ready'), operator: 'NotIn', values: ['False'] }],
    delayMs: 0,
    jitterMs: 100,
    statusTemplate: `${preamble}\n${nodeConditions(false)}`,
  }),
];

/** The YAML kwok reads with --config: all stages, one document each. */
export function kwokStagesYaml(): string {
  return [...podStages, ...nodeStages].map((doc) => stringify(doc, { lineWidth: 0 })).join('---\n');
}
