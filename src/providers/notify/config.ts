import { formatPath } from '../../config/issues.js';
import type { PlatformConfig } from '../../config/schema.js';

export type NotificationConfig = NonNullable<PlatformConfig['notifications']>[number];

type Env = Readonly<Record<string, string | undefined>>;

/** A problem at a path in the platform file, e.g. "notifications[0].webhookUrlFromEnv". */
export interface NotificationIssue {
  readonly path: string;
  readonly problem: string;
}

/**
 * Takes the secrets named by webhookUrlFromEnv and headersFromEnv from `env` (the environment given to
 * loadConfig, never process.env) and puts them in webhookUrl and headers. Problems name the variable,
 * never its value.
 */
export function resolveNotificationEnv(
  notifications: readonly NotificationConfig[],
  env: Env,
): { notifications: NotificationConfig[]; issues: NotificationIssue[] } {
  const issues: NotificationIssue[] = [];
  const lookUp = (name: string, path: PropertyKey[], check?: (value: string) => string | undefined) => {
    const value = env[name];
    const problem =
      value === undefined || value === ''
        ? `environment variable ${name} is not set`
        : check?.(value) && `environment variable ${name} ${check(value)}`;
    if (problem) issues.push({ path: formatPath(['notifications', ...path]), problem });
    return problem ? undefined : value;
  };
  const resolved = notifications.map((target, i): NotificationConfig => {
    const { webhookUrlFromEnv, ...rest } = target;
    const webhookUrl =
      webhookUrlFromEnv === undefined
        ? target.webhookUrl
        : lookUp(webhookUrlFromEnv, [i, 'webhookUrlFromEnv'], httpUrlProblem);
    const withUrl = { ...rest, ...(webhookUrl === undefined ? {} : { webhookUrl }) };
    if (withUrl.kind !== 'webhook' || withUrl.headersFromEnv === undefined) return withUrl;
    const { headersFromEnv, ...webhook } = withUrl;
    const headers = { ...webhook.headers };
    for (const [header, name] of Object.entries(headersFromEnv)) {
      const value = lookUp(name, [i, 'headersFromEnv', header]);
      if (value !== undefined) headers[header] = value;
    }
    return { ...webhook, headers };
  });
  return { notifications: resolved, issues };
}

function httpUrlProblem(value: string): string | undefined {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:' ? undefined : 'must hold an http(s) URL';
  } catch {
    return 'must hold an http(s) URL';
  }
}
