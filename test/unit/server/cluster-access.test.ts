import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { clusterConfigs } from '../../../src/server/cluster-access.js';

const client = new EKSClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
});
const eks = mockClient(client);
let dir: string;
beforeEach(() => {
  eks.reset();
  dir = mkdtempSync(join(tmpdir(), 'switchyard-access-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function writeKubeconfig(server: string): string {
  const path = join(dir, 'kubeconfig');
  const cluster = (name: string) => ({ name, cluster: { server, 'insecure-skip-tls-verify': true } });
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [cluster('blue'), cluster('green')],
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: ['blue', 'green'].map((name) => ({ name, context: { cluster: name, user: 'u' } })),
      'current-context': 'blue',
    }),
  );
  return path;
}

describe('cluster configs shared by every platform of the process', () => {
  it('reads a kubeconfig context once and hands out the same object until the file changes', () => {
    const configs = clusterConfigs(client);
    const path = writeKubeconfig('https://127.0.0.1:6443');
    const blue = configs.fromFile({ path, context: 'blue' });
    expect(configs.fromFile({ path, context: 'blue' })).toBe(blue);
    const green = configs.fromFile({ path, context: 'green' });
    expect(green).not.toBe(blue);
    expect(green.getCurrentContext()).toBe('green');

    writeKubeconfig('https://127.0.0.1:7443');
    utimesSync(path, new Date(), new Date(Date.now() + 5_000));
    const reread = configs.fromFile({ path, context: 'blue' });
    expect(reread).not.toBe(blue);
    expect(reread.getCurrentCluster()?.server).toBe('https://127.0.0.1:7443');
    configs.close();
  });

  it('names the file when it cannot be read', () => {
    const configs = clusterConfigs(client);
    expect(() => configs.fromFile({ path: join(dir, 'missing'), context: 'blue' })).toThrow(/missing/);
  });

  it('looks an EKS cluster up once per few minutes, and again after a failed lookup', async () => {
    let clock = 0;
    const configs = clusterConfigs(client, () => clock);
    eks
      .on(DescribeClusterCommand, { name: 'shop-green' })
      .rejectsOnce(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }))
      .resolves({
        cluster: {
          name: 'shop-green',
          status: 'ACTIVE',
          endpoint: 'https://shop-green.eks.example',
          certificateAuthority: { data: Buffer.from('a CA').toString('base64') },
        },
      });
    await expect(configs.fromEks('shop-green')).rejects.toThrow();
    const first = await configs.fromEks('shop-green');
    expect(await configs.fromEks('shop-green')).toBe(first);
    expect(first.getCurrentCluster()?.server).toBe('https://shop-green.eks.example');
    expect(eks.commandCalls(DescribeClusterCommand)).toHaveLength(2);

    clock += 10 * 60_000;
    expect(await configs.fromEks('shop-green')).not.toBe(first);
    expect(eks.commandCalls(DescribeClusterCommand)).toHaveLength(3);
    configs.close();
  });
});
