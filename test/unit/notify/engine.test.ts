import { describe, expect, it } from 'vitest';
import type { Notifier } from '../../../src/domain/ports.js';
import { createLogger } from '../../../src/logging.js';
import { createMetrics } from '../../../src/metrics.js';
import { isNotified } from '../../../src/providers/notify/fan-out.js';
import { notifierFromConfig } from '../../../src/providers/notify/index.js';
import { engineHarness } from '../../fakes/harness.js';
import { testPromotion } from '../../fakes/promotions.js';
import { deadUrl, receiver } from './receiver.js';

/** A harness whose platform notifies a dead Slack webhook and a live CloudEvents receiver. */
async function notifyingHarness() {
  const h = engineHarness();
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', destination: { write: (line: string) => lines.push(line) } });
  const metrics = createMetrics();
  const slackUrl = await deadUrl('/services/T000/B000/s3cr3t');
  const hook = await receiver('/events');
  const notifier = notifierFromConfig(
    [
      { kind: 'slack', webhookUrl: slackUrl },
      { kind: 'webhook', webhookUrl: hook.url },
    ],
    {
      log,
      count: (notifier, outcome) => metrics.notifications.inc({ notifier, outcome }),
      retry: { sleep: async () => {} },
    },
  );
  (h.providers as { notifier: Notifier }).notifier = notifier;
  return { h, lines, metrics, notifier, hook, slackUrl };
}

describe('notifications during a promotion', () => {
  it('a dead webhook is counted and logged, and the promotion is unaffected', async () => {
    const { h, lines, metrics, notifier, hook, slackUrl } = await notifyingHarness();
    await h.controller.startPromotion(testPromotion());
    expect((await h.drive('p-1')).currentStage).toBe('decommission');
    await h.controller.approve('p-1', undefined, { name: 'alice', mayDecommission: true });
    expect((await h.drive('p-1')).phase).toBe('succeeded');
    await notifier.idle();

    const counts = (await metrics.notifications.get()).values.map((v) => [v.labels, v.value]);
    const delivered = hook.received.length;
    expect(delivered).toBeGreaterThan(10);
    expect(counts).toEqual(
      expect.arrayContaining([
        [{ notifier: 'slack', outcome: 'failed' }, delivered],
        [{ notifier: 'webhook', outcome: 'sent' }, delivered],
      ]),
    );
    const failures = lines.map((l) => JSON.parse(l)).filter((l) => l.outcome === 'failed');
    expect(failures).toHaveLength(delivered);
    expect(failures[0]).toMatchObject({ notifier: 'slack', promotionId: 'p-1', level: 40 });
    expect(failures[0].msg).toMatch(/^notification to slack failed: request failed: connect ECONNREFUSED/);

    // Failures are in the promotion's own events too, and are not notified in turn.
    const events = await h.store.events('p-1');
    const failed = events.filter((e) => e.type === 'notify.failed');
    expect(failed).toHaveLength(delivered);
    expect(failed[0]?.message).toMatch(
      /^notification of \S+ failed: slack: request failed: connect ECONNREFUSED/,
    );

    // No webhook URL anywhere: not in logs, not in stored events.
    const everything = [...lines, ...events.map((e) => e.message)].join('\n');
    expect(everything).not.toContain('s3cr3t');
    expect(everything).not.toContain(slackUrl);
  });

  it('the receiver gets the notified events in the order they were stored', async () => {
    const { h, notifier, hook } = await notifyingHarness();
    await h.controller.startPromotion(testPromotion());
    await h.drive('p-1');
    await notifier.idle();
    const stored = (await h.store.events('p-1')).map((e) => e.type).filter(isNotified);
    const received = hook.received.map((r) =>
      (r.body as { type: string }).type.replace('io.switchyard.', ''),
    );
    // promotion.created is written by the controller, not the engine; whether it is notified depends on
    // the controller passing it on.
    const fromEngine = stored.filter((t) => t !== 'promotion.created');
    expect([stored, fromEngine]).toContainEqual(received);
    expect(received).toEqual(expect.arrayContaining(['stage.started', 'traffic.verified', 'gate.opened']));
    const first = hook.received[0]?.body as { data: Record<string, unknown> };
    expect(first.data).toMatchObject({ promotionId: 'p-1', platform: 'shop', fromVersion: '1.34' });
  });
});
