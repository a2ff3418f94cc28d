/**
 * Recording fakes of every provider port, sharing one "cloud" state. Each call is appended to `calls`
 * in order (tests assert the order, because order is the safety property of a rollback), and the state
 * counts resources so tests can prove nothing was created twice. With a `file`, the state is written to
 * disk after every change, so it survives a controller killed with SIGKILL, as a real cloud would.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { describeQuery } from '../../src/analysis/measure.js';
import type { MetricQuery } from '../../src/domain/plan.js';
import type {
  MetricResult,
  PlatformProviders,
  Qualification,
  TrafficReading,
  Verdict,
} from '../../src/domain/ports.js';
import type { ClusterRef } from '../../src/domain/promotion.js';
import type { GreenPercent } from '../../src/domain/weights.js';

export interface CloudState {
  calls: string[];
  /** Cluster name → polls left until ACTIVE (0 = active). */
  clusters: Record<string, { pollsLeft: number; token: string; version?: string; promotionId?: string }>;
  /** How many clusters were ever created, by name: more than 1 means a duplicate. */
  created: Record<string, number>;
  deleted: string[];
  /** When each cluster's teardown was called (ms since epoch), to check drain deadlines. */
  teardownAt: Record<string, number>;
  /** Create calls for an existing cluster with a different idempotency token: a duplicate in real EKS. */
  tokenMismatches: number;
  foundationPollsLeft: number;
  /** undefined: the original record, all traffic to blue. */
  weights: { blue: number; green: number } | undefined;
  weightWrites: number;
  verifyPollsLeft: number;
  notifications: string[];
}

export interface CloudBehaviour {
  provisionPolls: number;
  foundationPolls: number;
  /** Verify calls that report "propagating" after each write. */
  verifyPolls: number;
  foundationVerdict: Verdict;
  servicesVerdict: Verdict;
  /** Stages held "not done yet" (still creating, inconclusive), so a test can act in the middle of one. */
  hold: Set<'provision' | 'foundation' | 'qualify-foundation' | 'services' | 'qualify-services'>;
  /** Clusters whose services report not ready for traffic. */
  unready: Set<string>;
  /** Clusters whose services degrade while they hold traffic (a crash loop during a bake). */
  degraded: Set<string>;
  /** Thrown by the named call (e.g. "router.apply") while the count lasts. */
  failures: Map<string, { error: Error; times: number }>;
  /** Called after a call's effect is recorded and before it returns: the crash harness kills here. */
  afterCall?: (call: string) => void;
  /** What an analysis query reads (throw to make the provider fail); no data unless a test says. */
  metric: (query: MetricQuery, description: string) => MetricResult;
}

export function initialCloud(blueClusterName: string): CloudState {
  return {
    calls: [],
    clusters: { [blueClusterName]: { pollsLeft: 0, token: 'pre-existing' } },
    created: {},
    deleted: [],
    teardownAt: {},
    tokenMismatches: 0,
    foundationPollsLeft: -1,
    weights: undefined,
    weightWrites: 0,
    verifyPollsLeft: 0,
    notifications: [],
  };
}

export class FakeCloud {
  readonly behaviour: CloudBehaviour = {
    provisionPolls: 1,
    foundationPolls: 1,
    verifyPolls: 1,
    foundationVerdict: 'pass',
    servicesVerdict: 'pass',
    hold: new Set(),
    unready: new Set(),
    degraded: new Set(),
    failures: new Map(),
    metric: () => ({ noData: true, detail: 'the fake has no reading' }),
  };

  constructor(
    public state: CloudState,
    private readonly file?: string,
  ) {}

  static load(file: string): FakeCloud {
    return new FakeCloud(JSON.parse(readFileSync(file, 'utf8')) as CloudState, file);
  }

  /** Calls of one kind, e.g. calls('router.') → every router call in order. */
  calls(prefix = ''): string[] {
    return this.state.calls.filter((c) => c.startsWith(prefix));
  }

  greenPercent(): number {
    const w = this.state.weights;
    return w === undefined ? 0 : Math.round((w.green / (w.blue + w.green)) * 100);
  }

  /**
   * The providers with blue in slot a (the record's "blue" weight is slot a's, "green" slot b's). With
   * `blueSlot: 'b'` the router sees the same records the other way round, as a promotion from slot b does.
   */
  providers(ttlSeconds = 60, blueSlot: 'a' | 'b' = 'a'): PlatformProviders {
    const cloud = this;
    const flipped = blueSlot === 'b';
    // Percent to this promotion's green, whichever slot it is in.
    const greenShare = () => (flipped ? 100 - cloud.greenPercent() : cloud.greenPercent());
    return {
      clusters: {
        async inspect(cluster) {
          return cloud.record(`clusters.inspect(${cluster.name})`, () => {
            const found = cloud.state.clusters[cluster.name];
            if (found === undefined) return { exists: false };
            return {
              exists: true,
              version: found.version ?? '1.34',
              status: found.pollsLeft === 0 ? 'ACTIVE' : 'CREATING',
              ...(found.promotionId === undefined ? {} : { createdBy: found.promotionId }),
            };
          });
        },
        async offeredVersions() {
          return ['1.33', '1.34', '1.35', '1.36'];
        },
        async addonVersions(version) {
          return { 'vpc-cni': `v1.20.0-for-${version}` };
        },
        async ensureCluster({ cluster, idempotencyToken, version, promotionId }) {
          return cloud.record(`clusters.ensureCluster(${cluster.name})`, () => {
            const existing = cloud.state.clusters[cluster.name];
            if (existing === undefined) {
              cloud.state.clusters[cluster.name] = {
                pollsLeft: cloud.behaviour.provisionPolls,
                token: idempotencyToken,
                version,
                promotionId,
              };
              cloud.state.created[cluster.name] = (cloud.state.created[cluster.name] ?? 0) + 1;
              return { ready: false, message: `creating ${cluster.name}` };
            }
            if (existing.token !== idempotencyToken && existing.token !== 'pre-existing')
              cloud.state.tokenMismatches++;
            if (cloud.behaviour.hold.has('provision'))
              return { ready: false, message: `${cluster.name} CREATING` };
            if (existing.pollsLeft > 0) existing.pollsLeft--;
            return existing.pollsLeft === 0
              ? { ready: true, message: `${cluster.name} ACTIVE` }
              : { ready: false, message: `${cluster.name} CREATING` };
          });
        },
        async ensureFoundation({ cluster }) {
          return cloud.record(`clusters.ensureFoundation(${cluster.name})`, () => {
            if (cloud.state.foundationPollsLeft < 0)
              cloud.state.foundationPollsLeft = cloud.behaviour.foundationPolls;
            if (cloud.state.foundationPollsLeft > 0 || cloud.behaviour.hold.has('foundation')) {
              cloud.state.foundationPollsLeft--;
              return { ready: false, message: 'node groups creating' };
            }
            return {
              ready: true,
              message: 'node groups and add-ons active',
              addons: { 'vpc-cni': 'v1.20.0-eksbuild.1' },
            };
          });
        },
        async teardown({ cluster }) {
          return cloud.record(`clusters.teardown(${cluster.name})`, () => {
            cloud.state.teardownAt[cluster.name] ??= Date.now();
            if (cloud.state.clusters[cluster.name] !== undefined) {
              delete cloud.state.clusters[cluster.name];
              cloud.state.deleted.push(cluster.name);
            }
            return { ready: true, message: `${cluster.name} deleted` };
          });
        },
      },
      router: {
        ttlSeconds,
        async read(): Promise<TrafficReading> {
          return cloud.record('router.read', () => {
            const w = cloud.state.weights;
            if (w === undefined)
              return { green: 0 as GreenPercent, kind: 'unweighted', detail: 'simple record to blue' };
            return {
              green: greenShare() as GreenPercent,
              kind: 'weighted',
              detail: `blue ${w.blue}, green ${w.green}`,
            };
          });
        },
        async apply(green) {
          return cloud.record(`router.apply(${green})`, () => {
            cloud.state.weights = flipped
              ? { blue: green, green: 100 - green }
              : { blue: 100 - green, green };
            cloud.state.weightWrites++;
            cloud.state.verifyPollsLeft = cloud.behaviour.verifyPolls;
            return { changeId: `change-${cloud.state.weightWrites}` };
          });
        },
        async verify(green) {
          return cloud.record(`router.verify(${green})`, () => {
            if (cloud.state.verifyPollsLeft > 0) {
              cloud.state.verifyPollsLeft--;
              return { ready: false, message: 'change PENDING' };
            }
            const actual = greenShare();
            return actual === green
              ? { ready: true, message: `INSYNC, ${green}% to green` }
              : { ready: false, message: `router shows ${actual}% to green, expected ${green}%` };
          });
        },
      },
      health: {
        async qualifyFoundation({ green: cluster }) {
          return cloud.record(`health.qualifyFoundation(${cluster.name})`, () =>
            qualification('coredns', cloud.held('qualify-foundation') ?? cloud.behaviour.foundationVerdict),
          );
        },
        async removedApis({ blue }) {
          return cloud.record(`health.removedApis(${blue.name})`, () =>
            qualification('removed-apis', cloud.behaviour.foundationVerdict),
          );
        },
        // A background hint with no outcome of its own: not recorded, so call lists show decisions.
        prepareQualification() {},
        async readyForTraffic(cluster: ClusterRef) {
          return cloud.record(`health.readyForTraffic(${cluster.name})`, () =>
            cloud.behaviour.unready.has(cluster.name)
              ? { ready: false, message: `${cluster.name}: 0/3 pods ready` }
              : { ready: true, message: 'ready' },
          );
        },
        async servingHealth(cluster: ClusterRef) {
          return cloud.record(`health.servingHealth(${cluster.name})`, () =>
            cloud.behaviour.degraded.has(cluster.name)
              ? { ready: false, message: `${cluster.name}: web container CrashLoopBackOff, 4 restarts` }
              : { ready: true, message: 'serving' },
          );
        },
      },
      services: {
        async deploy({ to }) {
          return cloud.record(`services.deploy(${to.name})`, () =>
            cloud.behaviour.hold.has('services')
              ? { ready: false, message: '2/3 workloads available' }
              : { ready: true, message: 'services applied and available' },
          );
        },
        async qualify(cluster) {
          return cloud.record(`services.qualify(${cluster.name})`, () =>
            qualification(
              'smoke /healthz',
              cloud.held('qualify-services') ?? cloud.behaviour.servicesVerdict,
            ),
          );
        },
      },
      metrics: {
        async query({ query }) {
          const description = describeQuery(query);
          return cloud.record(`metrics.query(${description})`, () =>
            cloud.behaviour.metric(query, description),
          );
        },
      },
      notifier: {
        async post(notification) {
          cloud.state.notifications.push(notification.type);
        },
      },
    };
  }

  /** 'inconclusive' while a qualification stage is held. */
  held(stage: 'qualify-foundation' | 'qualify-services'): Verdict | undefined {
    return this.behaviour.hold.has(stage) ? 'inconclusive' : undefined;
  }

  private record<T>(call: string, effect: () => T): T {
    this.state.calls.push(call);
    const failure = [...this.behaviour.failures.entries()].find(([prefix]) => call.startsWith(prefix))?.[1];
    if (failure && failure.times > 0) {
      failure.times--;
      this.persist();
      throw failure.error;
    }
    const result = effect();
    this.persist();
    this.behaviour.afterCall?.(call);
    return result;
  }

  private persist(): void {
    if (this.file === undefined) return;
    writeFileSync(`${this.file}.tmp`, JSON.stringify(this.state));
    renameSync(`${this.file}.tmp`, this.file);
  }
}

function qualification(check: string, verdict: Verdict): Qualification {
  return {
    verdict,
    checks: [{ name: check, verdict, evidence: verdict === 'pass' ? 'healthy' : `${check} ${verdict}` }],
  };
}
