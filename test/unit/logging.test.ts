import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging.js';

describe('log redaction', () => {
  it('never writes tokens, AWS credentials, kubeconfig secrets or webhook URLs', () => {
    const lines: string[] = [];
    const log = createLogger({ destination: { write: (line: string) => lines.push(line) } });
    log.info(
      {
        req: { headers: { authorization: 'Bearer s3cr3t-token', host: 'x' } },
        aws: {
          accessKeyId: 'AKIAEXAMPLE',
          secretAccessKey: 'wJalrXUtnFEMI',
          sessionToken: 'FwoGZXIvYXdzEJr',
        },
        notifier: { webhookUrl: 'https://hooks.slack.com/services/T000/B000/XXXX' },
        user: { token: 'eyJhbGciOi', 'client-key-data': 'LS0tLS1CRUdJTi' },
      },
      'request',
    );
    const written = lines.join('');
    for (const secret of [
      's3cr3t-token',
      'AKIAEXAMPLE',
      'wJalrXUtnFEMI',
      'FwoGZXIvYXdzEJr',
      'hooks.slack.com',
      'eyJhbGciOi',
      'LS0tLS1CRUdJTi',
    ]) {
      expect(written).not.toContain(secret);
    }
    expect(JSON.parse(written)).toMatchObject({
      req: { headers: { authorization: '[redacted]', host: 'x' } },
      msg: 'request',
    });
  });
});
