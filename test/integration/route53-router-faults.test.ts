import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import pino from 'pino';
import { afterAll, afterEach, expect, it } from 'vitest';
import { ProviderError } from '../../src/domain/errors.js';
import { greenPercent } from '../../src/domain/weights.js';
import { createAwsClients } from '../../src/providers/aws/clients.js';
import { createRoute53Router } from '../../src/routers/route53/adapter.js';
import { type FaultProxy, sendAwsError, startFaultProxy } from '../env/fault-proxy.js';
import { describeWithServers, dummyCredentials, testEnvironment } from './environment.js';

interface Rejection {
  readonly status: number;
  readonly code: string;
}

/**
 * The fault proxy only answers Throttling and 503. Route 53's own PriorRequestNotComplete (and a
 * non-retryable AccessDenied) come from this smaller proxy: it rejects the change-batch POSTs that
 * `reject` picks, in Route 53's wire format, and forwards everything else to moto unchanged.
 */
async function startChangeRejector(upstream: string, reject: (n: number) => Rejection | undefined) {
  const target = new URL(upstream);
  const seen = { changes: 0, rejected: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const isChange = req.method === 'POST' && /\/rrset\/?$/.test(req.url ?? '');
      const rejection = isChange ? reject(seen.changes++) : undefined;
      if (rejection) {
        seen.rejected++;
        return sendAwsError(res, 'route53', rejection.status, rejection.code, `injected ${rejection.code}`);
      }
      const { hostname: host, port } = target;
      const forwarded = request(
        { host, port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      forwarded.on('error', () => res.destroy());
      forwarded.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describeWithServers('Route 53 router through faults', () => {
  const env = testEnvironment();
  const logged: { operation?: string; attempts?: number; outcome?: string }[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => logged.push(JSON.parse(line)) });
  const clientsThrough = (endpoint: string, maxAttempts = 8) =>
    createAwsClients({ region: env.awsRegion, endpoint, credentials: dummyCredentials, maxAttempts }, log);
  const direct = clientsThrough(env.awsEndpoint);
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
    logged.length = 0;
  });
  afterAll(() => direct.destroy());

  /** A zone of its own per test (moto is reset per file), with a simple CNAME pointing at blue. */
  async function zoneWithRecord(zoneName: string) {
    const zone = await direct.route53.send(
      new CreateHostedZoneCommand({ Name: zoneName, CallerReference: `${zoneName}-${Date.now()}` }),
    );
    const zoneId = zone.HostedZone?.Id ?? '';
    const recordName = `app.${zoneName}`;
    await direct.route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Changes: [
            {
              Action: 'CREATE',
              ResourceRecordSet: {
                Name: recordName,
                Type: 'CNAME',
                TTL: 60,
                ResourceRecords: [{ Value: 'blue.lb.example.com' }],
              },
            },
          ],
        },
      }),
    );
    return { zoneId, recordName };
  }

  const routerOn = (client: Route53Client, zone: { zoneId: string; recordName: string }) =>
    createRoute53Router({
      client,
      hostedZoneId: zone.zoneId,
      recordName: zone.recordName,
      recordType: 'CNAME',
      ttlSeconds: 60,
      blue: { setIdentifier: 'blue', values: ['blue.lb.example.com'] },
      green: { setIdentifier: 'green', values: ['green.lb.example.com'] },
    });

  it('applies and verifies every step while about 30% of calls are throttled, logging the retries', async () => {
    const zone = await zoneWithRecord('throttled.example.com');
    // Three of every ten calls throttled, never two in a row: deterministic, and within 8 attempts.
    const draws = [0.5, 0.1, 0.7, 0.9, 0.2, 0.6, 0.8, 0.25, 0.4, 0.95];
    let draw = 0;
    const proxy: FaultProxy = await startFaultProxy(
      env.awsEndpoint,
      { throttleShare: 0.3 },
      () => draws[draw++ % draws.length] ?? 1,
    );
    closers.push(() => proxy.close());
    const aws = clientsThrough(proxy.url);
    closers.push(async () => aws.destroy());
    const router = routerOn(aws.route53, zone);

    // Adaptive retry mode slows the client down after each throttle; three steps keep the test short.
    for (const step of [1, 50, 0]) {
      const { changeId } = await router.apply(greenPercent(step));
      expect(await router.verify(greenPercent(step), changeId)).toMatchObject({ ready: true });
    }
    expect(proxy.counts.throttled).toBeGreaterThanOrEqual(3);
    expect(logged.length).toBe(proxy.counts.throttled);
    expect(logged.every((l) => l.attempts === 2 && l.outcome === 'succeeded')).toBe(true);
    expect(new Set(logged.map((l) => l.operation))).toContain('ChangeResourceRecordSetsCommand');
  });

  it('lets the SDK retry PriorRequestNotComplete: no retry of its own is needed in the router', async () => {
    const zone = await zoneWithRecord('prior.example.com');
    const rejector = await startChangeRejector(env.awsEndpoint, (n) =>
      n < 1 ? { status: 400, code: 'PriorRequestNotComplete' } : undefined,
    );
    closers.push(rejector.close);
    const aws = clientsThrough(rejector.url);
    closers.push(async () => aws.destroy());
    const router = routerOn(aws.route53, zone);

    const { changeId } = await router.apply(greenPercent(10));
    expect(await router.verify(greenPercent(10), changeId)).toMatchObject({ ready: true });
    expect(rejector.seen).toEqual({ changes: 2, rejected: 1 });
    expect(logged).toMatchObject([{ operation: 'ChangeResourceRecordSetsCommand', attempts: 2 }]);
  });

  it('reports PriorRequestNotComplete as retryable once the SDK gives up', async () => {
    const zone = await zoneWithRecord('prior-exhausted.example.com');
    const rejector = await startChangeRejector(env.awsEndpoint, () => ({
      status: 400,
      code: 'PriorRequestNotComplete',
    }));
    closers.push(rejector.close);
    const aws = clientsThrough(rejector.url, 2);
    closers.push(async () => aws.destroy());

    const error = await routerOn(aws.route53, zone)
      .apply(greenPercent(10))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ retryable: true, message: expect.stringContaining(zone.recordName) });
    expect(rejector.seen.rejected).toBe(2);
  });

  it('fails fast on AccessDenied: one attempt, not retryable, naming the zone', async () => {
    const zone = await zoneWithRecord('denied.example.com');
    const rejector = await startChangeRejector(env.awsEndpoint, () => ({
      status: 403,
      code: 'AccessDenied',
    }));
    closers.push(rejector.close);
    const aws = clientsThrough(rejector.url);
    closers.push(async () => aws.destroy());

    const error = await routerOn(aws.route53, zone)
      .apply(greenPercent(10))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toMatchObject({ retryable: false, message: expect.stringMatching(/AccessDenied/) });
    expect((error as Error).message).toContain(zone.zoneId.replace('/hostedzone/', ''));
    expect(rejector.seen).toEqual({ changes: 1, rejected: 1 });
  });
});
