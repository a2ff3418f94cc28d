/**
 * The rollback executor, in the only safe order: read the router → if weight has to move, blue must be
 * ready → weights to blue (one call per router) → read back until verified → persist green's drain
 * deadline → after it, tear green down if the policy says so. Each call advances one step; the engine stores the result before calling again,
 * so the drain deadline is always on disk before any teardown starts.
 */
import { drainingEvent } from '../domain/commands.js';
import type { PlatformProviders } from '../domain/ports.js';
import type { NewEvent, Promotion, RollbackState } from '../domain/promotion.js';
import { errorMessage, isRetryable } from '../domain/retryable.js';
import { decideWeightMove, recordVerifiedWeight } from '../domain/weight-move.js';
import { allBlue } from '../domain/weights.js';
import { moveWeight } from './weight-move.js';

export interface RollbackStepResult {
  readonly promotion: Promotion;
  readonly events: readonly NewEvent[];
  /** Undefined: go on at once with the next step. Otherwise: look again after this delay. */
  readonly waitMs?: number;
}

export async function rollbackStep(
  promotion: Promotion,
  providers: PlatformProviders,
  now: Date,
): Promise<RollbackStepResult> {
  const rollback = promotion.rollback;
  if (rollback === undefined) throw new Error(`promotion ${promotion.id} has no rollback`);
  const plan = promotion.plan;
  const with_ = (
    changes: Partial<RollbackState>,
    events: NewEvent[] = [],
    waitMs?: number,
  ): RollbackStepResult => ({
    promotion: { ...promotion, rollback: { ...rollback, ...changes } },
    events,
    ...(waitMs === undefined ? {} : { waitMs }),
  });
  const target = rollback.path[0] ?? allBlue;

  switch (rollback.step) {
    // 'set-weights' is where records stored by earlier versions may stand; it is the same step now.
    case 'check-blue':
    case 'set-weights': {
      // One read decides. A rollback never adds traffic to green, and where the router already shows
      // the target nothing moves, so blue's readiness matters only when weight is about to move to it.
      const decision = decideWeightMove(await providers.router.read(), target);
      const { current } = decision;
      if (current !== undefined && current < target) {
        const path = rollback.path.filter((green) => green <= current);
        return with_({
          path,
          message: `router shows ${current}% to green, below ${target}%: next ${path[0]}%`,
        });
      }
      const moved = await moveWeight(promotion, providers, target, { decided: decision });
      if (moved.kind === 'not-ready') {
        // Never move weight to a side that fails readiness; keep looking and say why.
        return with_(
          {
            step: 'check-blue',
            message: `waiting for ${moved.side} to be ready before moving traffic: ${moved.message}`,
          },
          [],
          plan.pollIntervalMs,
        );
      }
      if (!moved.written) {
        return with_({
          step: 'verify',
          changeId: undefined,
          message: `router already shows ${target}% to green; nothing to write, verifying`,
        });
      }
      return with_(
        { step: 'verify', changeId: moved.changeId, message: `set ${target}% to green, verifying` },
        [
          {
            type: 'rollback.weights-set',
            actor: 'switchyard',
            message: `weights set: ${100 - target}% blue, ${target}% green`,
            data: { green: target },
          },
        ],
      );
    }
    case 'verify': {
      const verified = await providers.router.verify(target, rollback.changeId);
      if (!verified.ready) return with_({ message: verified.message }, [], plan.pollIntervalMs);
      const { traffic, event: verifiedEvent } = recordVerifiedWeight(
        promotion.traffic,
        { green: target, reason: 'rollback', by: rollback.requestedBy },
        now.toISOString(),
      );
      const rest = rollback.path.slice(1);
      if (rest.length > 0) {
        const bakeMs = Math.max(plan.rollback.stepBakeMs, providers.router.ttlSeconds * 1000);
        return {
          promotion: {
            ...promotion,
            traffic,
            rollback: {
              ...rollback,
              path: rest,
              step: 'bake',
              bakeUntil: new Date(now.getTime() + bakeMs).toISOString(),
              message: `holding ${target}% for ${bakeMs / 1000} s`,
            },
          },
          events: [verifiedEvent],
        };
      }
      const drainDeadline = new Date(now.getTime() + plan.rollback.drainDelayMs).toISOString();
      return {
        promotion: {
          ...promotion,
          traffic,
          rollback: {
            ...rollback,
            path: [target],
            step: 'drain',
            drainDeadline,
            message: `blue holds all traffic; green drains until ${drainDeadline}`,
          },
        },
        events: [verifiedEvent, drainingEvent(drainDeadline)],
      };
    }
    case 'bake': {
      const remaining = Date.parse(rollback.bakeUntil ?? '') - now.getTime();
      if (remaining > 0) return with_({}, [], remaining);
      return with_({ step: 'check-blue', message: 'step held; next step' });
    }
    case 'drain': {
      const remaining = Date.parse(rollback.drainDeadline ?? '') - now.getTime();
      if (remaining > 0) return with_({}, [], remaining);
      if (rollback.green === 'teardown')
        return with_({
          step: 'teardown',
          message: `drain delay over; deleting green ${promotion.green.name}`,
        });
      return finished(promotion, rollback, now, `rolled back; green cluster ${promotion.green.name} kept`);
    }
    case 'teardown': {
      let gone: Awaited<ReturnType<typeof providers.clusters.teardown>>;
      try {
        gone = await providers.clusters.teardown({ promotionId: promotion.id, cluster: promotion.green });
      } catch (error) {
        // Transient failures are retried by the engine. One that can never succeed (a cluster this
        // promotion does not own) is reported once and the rollback ends: traffic is already safe.
        if (isRetryable(error)) throw error;
        const warning = `green cluster ${promotion.green.name} was not deleted: ${errorMessage(error)}`;
        return finished(promotion, { ...rollback, warning }, now, `rolled back; ${warning}`, [
          { type: 'rollback.warning', actor: 'switchyard', message: warning },
        ]);
      }
      if (!gone.ready) return with_({ message: gone.message }, [], plan.pollIntervalMs);
      return finished(promotion, rollback, now, `rolled back; green cluster ${promotion.green.name} deleted`);
    }
    case 'done':
      return { promotion, events: [] };
  }
}

function finished(
  promotion: Promotion,
  rollback: RollbackState,
  now: Date,
  message: string,
  events: readonly NewEvent[] = [],
): RollbackStepResult {
  const at = now.toISOString();
  return {
    promotion: {
      ...promotion,
      phase: rollback.finalPhase ?? 'rolled-back',
      finishedAt: at,
      rollback: { ...rollback, step: 'done', finishedAt: at, message },
    },
    events: [...events, { type: 'rollback.finished', actor: 'switchyard', message }],
  };
}
