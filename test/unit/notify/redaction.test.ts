import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logging.js';
import { notifierFromConfig } from '../../../src/providers/notify/index.js';
import { notification } from './notification.js';

const slackUrl = 'https://hooks.slack.com/services/T000/B000/XXXXsecret';

describe('notification failures in logs', () => {
  it('scrub the webhook URL, its path and secret header values from every line', async () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', destination: { write: (line: string) => lines.push(line) } });
    const failures: string[] = [];
    // Errors that quote the URL, as some fetch failures do ("Failed to parse URL from …").
    const fetch = async (input: string | URL | Request) => {
      const url = new URL(String(input));
      throw new TypeError(`fetch failed for ${url}`, {
        cause: new Error(`connect ECONNRESET ${url.href} (path ${url.pathname}${url.search})`),
      });
    };
    const notifier = notifierFromConfig(
      [
        { kind: 'slack', webhookUrl: slackUrl },
        {
          kind: 'webhook',
          webhookUrl: 'https://hooks.example.com/e?key=query-secret',
          headers: { Authorization: 'Bearer header-secret' },
        },
      ],
      { log, fetch, retry: { maxAttempts: 2, sleep: async () => {} } },
    );
    await notifier.post(notification(), { onFailed: (reason) => failures.push(reason) });
    await notifier.idle();

    const written = [...lines, ...failures].join('\n');
    expect(failures).toHaveLength(2);
    expect(lines.length).toBeGreaterThanOrEqual(4); // two retries (debug), two failures (warn)
    expect(written).toContain('[redacted]');
    for (const secret of ['XXXXsecret', 'hooks.slack.com/services', 'query-secret', 'header-secret']) {
      expect(written).not.toContain(secret);
    }
  });
});
