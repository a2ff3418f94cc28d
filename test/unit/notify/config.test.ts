import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { type NotificationConfig, resolveNotificationEnv } from '../../../src/providers/notify/config.js';
import { loadPlatform, problems, route53Platform, withValue, writeConfig } from '../config/temp-config.js';

const slackUrl = 'https://hooks.slack.com/services/T000/B000/XXXX';
const withNotifications = (notifications: unknown) =>
  withValue(route53Platform, ['notifications'], notifications);

describe('notifications in a platform file', () => {
  it('takes Slack and webhook targets', async () => {
    const file = await writeConfig({
      platforms: {
        'p.yaml': withNotifications([
          {
            kind: 'slack',
            webhookUrl: slackUrl,
            promotionUrl: 'https://switchyard.example.com/v1/promotions/{id}',
          },
          {
            kind: 'webhook',
            name: 'audit',
            webhookUrlFromEnv: 'AUDIT_HOOK_URL',
            headers: { 'X-Team': 'platform' },
            headersFromEnv: { Authorization: 'AUDIT_HOOK_AUTH' },
          },
        ]),
      },
    });
    const env = { AUDIT_HOOK_URL: 'https://audit.example.com/hook', AUDIT_HOOK_AUTH: 'Bearer abc' };
    const config = await loadConfig({ file, env });
    expect(config.platforms.get('shop')?.notifications).toHaveLength(2);
    // Without the variables the file names, loading fails and says which variable is missing.
    await expect(loadConfig({ file, env: {} })).rejects.toThrow(
      /environment variable AUDIT_HOOK_URL is not set/,
    );
  });

  it('is optional', async () => {
    expect((await loadPlatform(route53Platform)).platforms.get('shop')?.notifications).toBeUndefined();
  });

  it.each([
    [
      { kind: 'slack' },
      'notifications[0]: needs exactly one of webhookUrl or webhookUrlFromEnv, has neither',
    ],
    [
      { kind: 'slack', webhookUrl: slackUrl, webhookUrlFromEnv: 'SLACK_URL' },
      'notifications[0]: needs exactly one of webhookUrl or webhookUrlFromEnv, has both',
    ],
    [
      { kind: 'slack', webhookUrl: 'hooks.slack.com/x' },
      'notifications[0].webhookUrl: must be an http(s) URL',
    ],
    [
      { kind: 'slack', webhookUrlFromEnv: 'not a name' },
      'notifications[0].webhookUrlFromEnv: must be an environment variable name',
    ],
    [
      { kind: 'slack', webhookUrl: slackUrl, promotionUrl: 'https://x.example.com/promotions' },
      'notifications[0].promotionUrl: must contain "{id}"',
    ],
    [{ kind: 'email', webhookUrl: slackUrl }, 'notifications[0].kind: must be one of "slack", "webhook"'],
    [
      { kind: 'slack', webhookUrl: slackUrl, headers: { a: 'b' } },
      'notifications[0].headers: unknown key (expected one of: kind, name, webhookUrl, webhookUrlFromEnv, promotionUrl, fleetRunUrl)',
    ],
  ])('refuses %j', async (target, problem) => {
    expect(await problems(withNotifications([target]))).toEqual([problem]);
  });

  it('never echoes a malformed webhook URL', async () => {
    const found = await problems(withNotifications([{ kind: 'slack', webhookUrl: 'not-a-url/T000/s3cr3t' }]));
    expect(found.join('\n')).not.toContain('s3cr3t');
  });
});

describe('resolveNotificationEnv', () => {
  const targets: NotificationConfig[] = [
    { kind: 'slack', webhookUrlFromEnv: 'SLACK_URL' },
    {
      kind: 'webhook',
      webhookUrl: 'https://hooks.example.com/e',
      headers: { 'X-Team': 'platform' },
      headersFromEnv: { Authorization: 'HOOK_AUTH' },
    },
  ];

  it('fills webhookUrl and headers from the environment given', () => {
    const env = { SLACK_URL: slackUrl, HOOK_AUTH: 'Bearer t0ken' };
    expect(resolveNotificationEnv(targets, env)).toEqual({
      issues: [],
      notifications: [
        { kind: 'slack', webhookUrl: slackUrl },
        {
          kind: 'webhook',
          webhookUrl: 'https://hooks.example.com/e',
          headers: { 'X-Team': 'platform', Authorization: 'Bearer t0ken' },
        },
      ],
    });
  });

  it('names missing or malformed variables, never their values', () => {
    const { issues } = resolveNotificationEnv(targets, { SLACK_URL: 'ftp://s3cr3t', HOOK_AUTH: '' });
    expect(issues).toEqual([
      {
        path: 'notifications[0].webhookUrlFromEnv',
        problem: 'environment variable SLACK_URL must hold an http(s) URL',
      },
      {
        path: 'notifications[1].headersFromEnv.Authorization',
        problem: 'environment variable HOOK_AUTH is not set',
      },
    ]);
  });
});
