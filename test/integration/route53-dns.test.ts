/**
 * The sandbox's public entry point against moto: DNS answers follow the record sets moto holds (a
 * simple record, then a weighted pair), and the synthetic client population, resolving through it,
 * reaches the ingress stand-in each answer names, recording 503s and dropped connections as failures.
 */
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientResolver } from '../env/client-resolver.js';
import type { DnsStandIn } from '../env/dns-standin.js';
import { type IngressStandIns, startIngressStandIns } from '../env/ingress-standins.js';
import { failedRequests } from '../env/observed-split.js';
import { startRoute53Dns } from '../env/route53-dns.js';
import { startSyntheticClient } from '../env/synthetic-client.js';
import { describeWithServers, dummyCredentials, motoClients, testEnvironment } from './environment.js';

const name = 'shop.example.test';
const targets = { blue: 'shop-blue.lb.example.test', green: 'shop-green.lb.example.test' };
const clusters = { blue: 'shop-blue', green: 'shop-green' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithServers("DNS from moto's weighted records, and clients through it", () => {
  const aws = motoClients();
  let zoneId = '';
  let dns: DnsStandIn;
  let ingress: IngressStandIns;

  async function change(
    changes: { Action: 'CREATE' | 'UPSERT' | 'DELETE'; ResourceRecordSet: ResourceRecordSet }[],
  ) {
    await aws.route53.send(
      new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes } }),
    );
    // Past the stand-in's 200 ms cache of moto, and the 1 s TTL of answers cached before.
    await sleep(1_300);
  }
  const weighted = (side: 'blue' | 'green', weight: number, ttl = 1): ResourceRecordSet => ({
    Name: name,
    Type: 'CNAME',
    SetIdentifier: clusters[side],
    Weight: weight,
    TTL: ttl,
    ResourceRecords: [{ Value: targets[side] }],
  });
  const simple: ResourceRecordSet = {
    Name: name,
    Type: 'CNAME',
    TTL: 1,
    ResourceRecords: [{ Value: targets.blue }],
  };

  beforeAll(async () => {
    const env = testEnvironment();
    const zone = await aws.route53.send(
      new CreateHostedZoneCommand({ Name: 'example.test', CallerReference: `route53-dns-${Date.now()}` }),
    );
    zoneId = zone.HostedZone?.Id ?? '';
    await change([{ Action: 'CREATE', ResourceRecordSet: simple }]);
    ingress = await startIngressStandIns(clusters);
    dns = await startRoute53Dns({
      aws: { region: env.awsRegion, endpoint: env.awsEndpoint, credentials: dummyCredentials },
      hostedZoneId: zoneId,
      recordName: name,
      ttlSeconds: 1,
      addresses: { [targets.blue]: '127.0.0.2', [targets.green]: '127.0.0.3' },
    });
  });
  afterAll(async () => {
    await dns?.close();
    await ingress?.close();
  });

  /** `count` answers, each asked anew (a new client's empty cache). */
  async function answers(count: number): Promise<string[]> {
    const [host = '', port = ''] = dns.server.split(':');
    const asked: string[] = [];
    for (let i = 0; i < count; i++)
      asked.push((await clientResolver({ host, port: Number(port) }).resolve(name)).target);
    return asked;
  }

  describe('the DNS stand-in', () => {
    it('answers a simple record with its value, as a CNAME and the A record of the value, with the TTL', async () => {
      const [host = '', port = ''] = dns.server.split(':');
      const answer = await clientResolver({ host, port: Number(port) }).resolve(name);
      expect(answer).toMatchObject({ target: targets.blue, address: '127.0.0.2' });
      expect(answer.expiresAt - answer.askedAt).toBe(1_000);
    });

    it('answers a weighted pair by weight, and never the side at weight 0', async () => {
      await change([
        { Action: 'DELETE', ResourceRecordSet: simple },
        { Action: 'CREATE', ResourceRecordSet: weighted('blue', 0) },
        { Action: 'CREATE', ResourceRecordSet: weighted('green', 100) },
      ]);
      expect(new Set(await answers(30))).toEqual(new Set([targets.green]));
      await change([
        { Action: 'UPSERT', ResourceRecordSet: weighted('blue', 75) },
        { Action: 'UPSERT', ResourceRecordSet: weighted('green', 25) },
      ]);
      const split = await answers(100);
      const green = split.filter((target) => target === targets.green).length;
      // Dealt in a fixed weighted rotation: a quarter of any hundred answers, give or take the rotation's start.
      expect(green).toBeGreaterThanOrEqual(23);
      expect(green).toBeLessThanOrEqual(27);
    });

    it('does not answer a record written with another TTL than it serves', async () => {
      await change([{ Action: 'UPSERT', ResourceRecordSet: weighted('green', 25, 60) }]);
      await expect(answers(1)).rejects.toThrow(/no DNS answer/);
      await change([{ Action: 'UPSERT', ResourceRecordSet: weighted('green', 25) }]);
    });
  });

  describe('the synthetic client population', () => {
    async function run(ms: number) {
      const client = startSyntheticClient({
        url: `http://${name}:${ingress.port}/`,
        resolver: dns.server,
        clients: 10,
        ratePerSecond: 50,
        servedByHeader: 'x-served-by',
      });
      await sleep(ms);
      return client.stop();
    }

    it('reaches both sides through its own caches, on new and kept-alive connections, with no failure', async () => {
      const records = await run(3_000);
      expect(records.length).toBeGreaterThanOrEqual(100);
      expect(failedRequests(records)).toEqual([]);
      const served = new Set(records.map((r) => r.servedBy));
      expect(served).toEqual(new Set([clusters.blue, clusters.green]));
      // Every request came from the side its connection's answer named.
      for (const r of records)
        expect(r.servedBy).toBe(r.answer?.address === '127.0.0.2' ? clusters.blue : clusters.green);
      expect(new Set(records.map((r) => r.lane))).toEqual(new Set(['fresh', 'keptAlive']));
    });

    it('records a green answering 503, and a green dropping connections, as failed requests of green', async () => {
      await change([
        { Action: 'UPSERT', ResourceRecordSet: weighted('blue', 0) },
        { Action: 'UPSERT', ResourceRecordSet: weighted('green', 100) },
      ]);
      try {
        ingress.green.mode = 'unavailable';
        const unavailable = await run(1_500);
        expect(unavailable.length).toBeGreaterThan(0);
        expect(new Set(unavailable.map((r) => r.status))).toEqual(new Set([503]));
        ingress.green.mode = 'drop';
        const dropped = await run(1_500);
        expect(dropped.length).toBeGreaterThan(0);
        expect(dropped.every((r) => r.status === undefined && r.error !== undefined)).toBe(true);
        expect(failedRequests(dropped)).toHaveLength(dropped.length);
      } finally {
        ingress.green.mode = 'ok';
      }
    });
  });
});
