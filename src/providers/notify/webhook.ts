import type { FleetNotification, Notification, Notifier, PromotionNotification } from '../../domain/ports.js';
import { type Fetch, notificationLink, postJson } from './http.js';

export interface WebhookNotifierOptions {
  /** The receiver's URL: a secret. */
  readonly url: string;
  /** Extra headers, e.g. Authorization; their values are kept out of error messages. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** e.g. "https://switchyard.example.com/v1/promotions/{id}": added to the event data. */
  readonly promotionUrl?: string | undefined;
  /** e.g. "https://switchyard.example.com/v1/fleet-runs/{id}": added to fleet events' data. */
  readonly fleetRunUrl?: string | undefined;
  readonly fetch?: Fetch | undefined;
  readonly timeoutMs?: number | undefined;
}

export const cloudEventsContentType = 'application/cloudevents+json; charset=utf-8';

/** Posts each notification as a CloudEvents 1.0 event in structured mode. */
export function webhookNotifier(options: WebhookNotifierOptions): Notifier {
  const headers = Object.fromEntries(
    Object.entries(options.headers ?? {}).filter(([name]) => name.toLowerCase() !== 'content-type'),
  );
  return {
    post: (notification) =>
      postJson({
        url: options.url,
        body: cloudEvent(notification, notificationLink(options, notification)),
        headers: { ...headers, 'content-type': cloudEventsContentType },
        secrets: Object.values(headers),
        fetch: options.fetch,
        timeoutMs: options.timeoutMs,
      }),
  };
}

export interface CloudEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly time: string;
  readonly subject: string;
  readonly datacontenttype: 'application/json';
  readonly data:
    | (PromotionNotification & { readonly promotionUrl?: string })
    | (FleetNotification & { readonly fleetRunUrl?: string });
}

/**
 * `id` is stable per event (a redelivery has the same id), so receivers can drop duplicates; with
 * `source` (the platform told) it is unique, as CloudEvents asks. A promotion's event is about the
 * promotion (subject its id, type e.g. io.switchyard.traffic.verified); a fleet run's is about the run
 * (subject the run id, type e.g. io.switchyard.fleet.stage.finished).
 */
export function cloudEvent(notification: Notification, link?: string): CloudEvent {
  const envelope = (subject: string) =>
    ({
      specversion: '1.0',
      id: notification.eventId,
      source: `switchyard/${notification.platform}`,
      type: `io.switchyard.${notification.type}`,
      time: notification.at,
      subject,
      datacontenttype: 'application/json',
    }) as const;
  if (notification.kind === 'fleet') {
    const data = link === undefined ? notification : { ...notification, fleetRunUrl: link };
    return { ...envelope(notification.runId), data };
  }
  const data = link === undefined ? notification : { ...notification, promotionUrl: link };
  return { ...envelope(notification.promotionId), data };
}
