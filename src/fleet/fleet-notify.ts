import type { Logger } from 'pino';
import {
  type FleetMemberState,
  type FleetRun,
  type FleetStageState,
  fleetStageStates,
  type NewFleetEvent,
} from '../domain/fleet.js';
import type { FleetNotification, Notifier } from '../domain/ports.js';
import { errorMessage } from '../domain/retryable.js';

/** One notification and the platform whose notification targets receive it. */
export interface AddressedNotification {
  readonly platform: string;
  readonly notification: FleetNotification;
}

/**
 * The notifications a batch of stored fleet events makes, and to whom. Only what people act on is
 * told: a stage started, finished or awaits approval (to each platform of that stage; a timed wait is
 * not told), a member failed (to its own
 * platform; its stage hears when the failures cost the stage), the run finished (to every member
 * platform). Each platform's team so hears of the waves its platform is in, through the targets its
 * platform file already has. `run` is the run as stored with the batch: its version makes the event
 * ids (`${run id}-${version}.${index}`, stable across redeliveries, as promotions' are).
 */
export function fleetNotifications(run: FleetRun, events: readonly NewFleetEvent[]): AddressedNotification[] {
  return events.flatMap((event, index) => {
    const told = toldOf(run, event);
    if (told === undefined) return [];
    const notification: FleetNotification = {
      kind: 'fleet',
      runId: run.id,
      eventId: `${run.id}-${run.version}.${index}`,
      at: run.updatedAt,
      platform: '',
      type: told.type,
      message: told.message ?? event.message,
      actor: event.actor,
      strategy: run.strategy.name,
      targetVersion: run.targetVersion,
      runState: run.state,
      ...(run.reason === undefined ? {} : { reason: run.reason }),
      ...(told.stage === undefined ? {} : { stage: told.stage }),
      ...(told.member === undefined ? {} : { member: told.member }),
    };
    return told.platforms.map((platform) => ({ platform, notification: { ...notification, platform } }));
  });
}

interface Told {
  readonly type: string;
  /** Instead of the event's message, when the notification says more (what to do). */
  readonly message?: string;
  readonly platforms: readonly string[];
  readonly stage?: FleetNotification['stage'];
  readonly member?: FleetNotification['member'];
}

/** What an event tells and to which platforms; undefined for events people are not told of. */
function toldOf(run: FleetRun, event: NewFleetEvent): Told | undefined {
  const data = event.data ?? {};
  const stageName = typeof data.stage === 'string' ? data.stage : undefined;
  const stagePlatforms = (name: string) =>
    run.members.filter((member) => member.stage === name).map((member) => member.platform);
  switch (event.type) {
    case 'fleet.stage.started':
      if (stageName === undefined) return undefined;
      return {
        type: event.type,
        platforms: stagePlatforms(stageName),
        stage: { name: stageName, state: 'running' },
      };
    case 'fleet.stage.gated': {
      // A timed wait needs no one; an approval needs a person, as a promotion's open gate does.
      const gates = Array.isArray(data.gates) ? (data.gates as unknown[]) : [];
      const needsApproval = gates.some((gate) => (gate as { kind?: unknown } | null)?.kind === 'approval');
      if (stageName === undefined || !needsApproval) return undefined;
      return {
        type: 'fleet.stage.awaiting-approval',
        message: `stage ${stageName} waits for approval: switchyard fleet approve ${run.id} --stage ${stageName}`,
        platforms: stagePlatforms(stageName),
        stage: { name: stageName, state: 'gated' },
      };
    }
    case 'fleet.stage.finished': {
      if (stageName === undefined) return undefined;
      // The state the event ended it in (a later event of the batch cannot change a finished stage).
      const state = stageState(data.state) ?? stageOf(run, stageName);
      if (state === undefined) return undefined;
      return { type: event.type, platforms: stagePlatforms(stageName), stage: { name: stageName, state } };
    }
    case 'fleet.member.finished': {
      const platform = typeof data.platform === 'string' ? data.platform : undefined;
      if (data.state !== 'failed' || platform === undefined) return undefined;
      const member = run.members.find((candidate) => candidate.platform === platform);
      if (member === undefined) return undefined;
      const promotionId = typeof data.promotionId === 'string' ? data.promotionId : member.promotionId;
      const state: FleetMemberState = 'failed';
      const stage = stageOf(run, member.stage);
      return {
        type: 'fleet.member.failed',
        platforms: [platform],
        member: { platform, state, ...(promotionId === undefined ? {} : { promotionId }) },
        ...(stage === undefined ? {} : { stage: { name: member.stage, state: stage } }),
      };
    }
    case 'fleet.finished':
      return { type: event.type, platforms: [...new Set(run.members.map((member) => member.platform))] };
    default:
      return undefined;
  }
}

function stageState(value: unknown): FleetStageState | undefined {
  return fleetStageStates.find((state) => state === value);
}

function stageOf(run: FleetRun, name: string): FleetStageState | undefined {
  return run.stages.find((stage) => stage.name === name)?.state;
}

export interface FleetNotifyOptions {
  /** A platform's notifier (its configured Slack and webhook targets); undefined when unknown. */
  readonly notifierFor: (platform: string) => Notifier | undefined;
  readonly log: Logger;
}

/**
 * Hands a stored batch's notifications to the platforms' notifiers without waiting for delivery (the
 * configured notifiers queue, as for promotions), so a slow or dead receiver never delays a pass.
 * Never throws: a failure, or a platform no longer configured, is a log line.
 */
export function notifyFleetEvents(
  options: FleetNotifyOptions,
  run: FleetRun,
  events: readonly NewFleetEvent[],
): void {
  const { log } = options;
  let addressed: AddressedNotification[];
  try {
    addressed = fleetNotifications(run, events);
  } catch (error) {
    log.warn({ runId: run.id, err: error }, 'fleet: cannot make the notifications of a stored batch');
    return;
  }
  for (const { platform, notification } of addressed) {
    const failed = (reason: string) =>
      log.warn(
        { runId: run.id, platform, event: notification.type },
        `fleet: notification of ${notification.type} to ${platform} failed: ${reason}`,
      );
    try {
      const notifier = options.notifierFor(platform);
      if (notifier === undefined) {
        log.info(
          { runId: run.id, platform },
          `fleet: ${platform} is not configured; ${notification.type} not told`,
        );
        continue;
      }
      notifier
        .post(notification, { onFailed: failed })
        .catch((error: unknown) => failed(errorMessage(error)));
    } catch (error) {
      failed(errorMessage(error));
    }
  }
}
