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

/**
 * Node prints process warnings (deprecations, the AWS SDK's notice about Node versions) to stderr as
 * plain text, which breaks a JSON log read line by line. This sends them to the log instead, as JSON
 * lines at warn. Returns a function that puts Node's own printing back.
 */
export function logProcessWarnings(log: Logger, target: NodeJS.Process = process): () => void {
  const printers = target.listeners('warning');
  target.removeAllListeners('warning');
  const onWarning = (warning: Error & { code?: string }) =>
    log.warn(
      {
        warning: {
          name: warning.name,
          ...(warning.code ? { code: warning.code } : {}),
          message: warning.message,
        },
      },
      `process warning: ${warning.name}`,
    );
  target.on('warning', onWarning);
  return () => {
    target.off('warning', onWarning);
    for (const printer of printers) target.on('warning', printer);
  };
}
