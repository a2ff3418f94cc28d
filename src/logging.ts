import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Paths whose values never reach a log line: bearer tokens, AWS credentials, kubeconfig secrets and
 * webhook URLs (a Slack webhook URL is itself a credential).
 */
export const redactedPaths = [
  'req.headers.authorization',
  'headers.authorization',
  '*.authorization',
  '*.token',
  '*.tokens',
  '*.password',
  '*.secretAccessKey',
  '*.sessionToken',
  '*.accessKeyId',
  '*.credentials',
  '*.webhookUrl',
  '*.url_secret',
  '*.kubeconfig',
  '*["client-key-data"]',
  '*["client-certificate-data"]',
];

/** The root logger; everything else gets children of it (with promotionId, stage, component). */
export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    { level: options.level ?? 'info', redact: { paths: redactedPaths, censor: '[redacted]' } },
    options.destination,
  );
}
