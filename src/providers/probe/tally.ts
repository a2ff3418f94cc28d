/**
 * The running counts of one probe, as it fills them: a mutable twin of ProbeCounts (the probe adds to
 * it on every outcome, many times a second) that gives out frozen snapshots.
 */
import { LatencyHistogram } from '../../analysis/latency-histogram.js';
import type { ProbeCounts, ProbePart, ServingSide } from '../../domain/probe.js';

export type Lane = 'fresh' | 'keptAlive';

export type Outcome =
  | { readonly kind: 'response'; readonly status: number; readonly side: ServingSide; readonly ms: number }
  | { readonly kind: 'connection-error'; readonly side: ServingSide };

export class ProbeTally {
  private sent = 0;
  private readonly sides = {
    blue: { ok: 0, non2xx: 0, connectionErrors: 0 },
    green: { ok: 0, non2xx: 0, connectionErrors: 0 },
    unknown: { ok: 0, non2xx: 0, connectionErrors: 0 },
  };
  private readonly lanes = { fresh: { sent: 0, failed: 0 }, keptAlive: { sent: 0, failed: 0 } };
  private readonly served = {
    write: { blue: 0, green: 0, unknown: 0 },
    bake: { blue: 0, green: 0, unknown: 0 },
  };
  private readonly latency = new LatencyHistogram();

  record(lane: Lane, part: ProbePart, outcome: Outcome): void {
    this.sent++;
    this.lanes[lane].sent++;
    const side = this.sides[outcome.side];
    if (outcome.kind === 'connection-error') {
      side.connectionErrors++;
      this.lanes[lane].failed++;
      return;
    }
    this.latency.record(outcome.ms);
    this.served[part][outcome.side]++;
    if (outcome.status >= 200 && outcome.status < 300) side.ok++;
    else {
      side.non2xx++;
      this.lanes[lane].failed++;
    }
  }

  snapshot(): ProbeCounts {
    return {
      sent: this.sent,
      sides: {
        blue: { ...this.sides.blue },
        green: { ...this.sides.green },
        unknown: { ...this.sides.unknown },
      },
      lanes: { fresh: { ...this.lanes.fresh }, keptAlive: { ...this.lanes.keptAlive } },
      served: { write: { ...this.served.write }, bake: { ...this.served.bake } },
      latency: this.latency.buckets(),
    };
  }
}
