import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eksTokenSource } from '../../../src/providers/aws/eks-kubeconfig.js';
import { eksToken, stsHost } from '../../../src/providers/aws/eks-token.js';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const now = new Date('2024-01-02T03:04:05.678Z');
const request = { clusterName: 'shop-green', region: 'eu-west-1', credentials, now };

/** The presigned URL inside a token. */
function decode(token: string): URL {
  expect(token.startsWith('k8s-aws-v1.')).toBe(true);
  const encoded = token.slice('k8s-aws-v1.'.length);
  // base64url without padding, as aws-iam-authenticator expects.
  expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
  return new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
}

const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/**
 * SigV4 for a presigned GET, written out from the AWS documentation with node:crypto only, so it
 * shares no code with the signer under test.
 */
function expectedSignature(url: URL, clusterName: string, secret: string, region: string): string {
  const query = [...url.searchParams.entries()]
    .filter(([key]) => key !== 'X-Amz-Signature')
    .map(([key, value]) => `${rfc3986(key)}=${rfc3986(value)}`)
    .sort()
    .join('&');
  const canonicalRequest = [
    'GET',
    '/',
    query,
    `host:${url.host}\nx-k8s-aws-id:${clusterName}\n`,
    'host;x-k8s-aws-id',
    sha256(''),
  ].join('\n');
  const amzDate = url.searchParams.get('X-Amz-Date') ?? '';
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${region}/sts/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), 'sts'), 'aws4_request');
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

describe('EKS bearer token', () => {
  it('is a presigned STS GetCallerIdentity URL that signs the cluster name header', async () => {
    const url = decode(await eksToken(request));
    expect(url.protocol).toBe('https:');
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      Action: 'GetCallerIdentity',
      Version: '2011-06-15',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIDEXAMPLE/20240102/eu-west-1/sts/aws4_request',
      'X-Amz-Date': '20240102T030405Z',
      'X-Amz-Expires': '60',
      'X-Amz-SignedHeaders': 'host;x-k8s-aws-id',
      'X-Amz-Signature': expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('carries the signature an independent SigV4 computation gives', async () => {
    const url = decode(await eksToken(request));
    expect(url.searchParams.get('X-Amz-Signature')).toBe(
      expectedSignature(url, 'shop-green', credentials.secretAccessKey, 'eu-west-1'),
    );
  });

  it('is deterministic for fixed inputs, and bound to the cluster name', async () => {
    const signature = async (clusterName: string) =>
      decode(await eksToken({ ...request, clusterName })).searchParams.get('X-Amz-Signature');
    expect(await eksToken(request)).toBe(await eksToken(request));
    expect(await signature('shop-green')).not.toBe(await signature('shop-blue'));
  });

  it('signs the session token of temporary credentials into the URL', async () => {
    const temporary = { ...credentials, sessionToken: 'FwoGZXIvYXdzE+/token=' };
    const url = decode(await eksToken({ ...request, credentials: async () => temporary }));
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe(temporary.sessionToken);
    expect(url.searchParams.get('X-Amz-Signature')).toBe(
      expectedSignature(url, 'shop-green', credentials.secretAccessKey, 'eu-west-1'),
    );
  });

  it('uses the China partition host in China regions', () => {
    expect(stsHost('cn-north-1')).toBe('sts.cn-north-1.amazonaws.com.cn');
  });
});

describe('token refresh', () => {
  it('reuses a token for 10 minutes, then signs a fresh one', async () => {
    let clock = now.getTime();
    const token = eksTokenSource({ ...request, now: () => new Date(clock) });
    const first = await token();
    clock += 9 * 60_000;
    expect(await token()).toBe(first);
    clock += 60_000;
    const second = await token();
    expect(second).not.toBe(first);
    expect(decode(second).searchParams.get('X-Amz-Date')).toBe('20240102T031405Z');
  });

  it('does not keep a failed signing: the next call tries again', async () => {
    let calls = 0;
    const flaky = async () => {
      calls += 1;
      if (calls === 1) throw new Error('credentials not ready');
      return credentials;
    };
    const token = eksTokenSource({ ...request, credentials: flaky, now: () => now });
    await expect(token()).rejects.toThrow('credentials not ready');
    expect(decode(await token()).host).toBe('sts.eu-west-1.amazonaws.com');
  });
});
