import type { Notification, Notifier } from '../../domain/ports.js';
import { type Fetch, postJson, promotionLink } from './http.js';

export interface WebhookNotifierOptions {
  /** The receiver's URL: a secret. */
  readonly url: string;
  /** Extra headers, e.g. Authorization; their values are kept out of error messages. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** e.g. "https://switchyard.example.com/v1/promotions/{id}": added to the event data. */
  readonly promotionUrl?: string | undefined;
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
        body: cloudEvent(notification, promotionLink(options.promotionUrl, notification.promotionId)),
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
  readonly data: Notification & { readonly promotionUrl?: string };
}

/** `id` is stable per event (a redelivery has the same id), so receivers can drop duplicates. */
export function cloudEvent(notification: Notification, link?: string): CloudEvent {
  return {
    specversion: '1.0',
    id: notification.eventId,
    source: `switchyard/${notification.platform}`,
    type: `io.switchyard.${notification.type}`,
    time: notification.at,
    subject: notification.promotionId,
    datacontenttype: 'application/json',
    data: link === undefined ? notification : { ...notification, promotionUrl: link },
  };
}
