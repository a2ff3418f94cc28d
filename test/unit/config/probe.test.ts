import { describe, expect, it } from 'vitest';
import { toPromotionPlan } from '../../../src/config/load.js';
import { albPlatform, loadPlatform, problems, route53Platform, withValue } from './temp-config.js';

const roles = {
  blue: { slot: 'a', name: 'shop-a' },
  green: { slot: 'b', name: 'shop-b' },
} as const;

describe('traffic.probe', () => {
  it('fills in the defaults and reaches the promotion plan in milliseconds', async () => {
    const config = await loadPlatform(
      withValue(route53Platform, ['traffic', 'probe'], { url: 'http://shop.example.test:8080/healthz' }),
    );
    const [platform] = config.platforms.values();
    if (platform === undefined) throw new Error('no platform loaded');
    expect(toPromotionPlan(platform, config.controller, roles).probe).toEqual({
      url: 'http://shop.example.test:8080/healthz',
      ratePerSecond: 10,
      servedByHeader: 'x-served-by',
      errorBudget: 0,
      timeoutMs: 2000,
      keepAliveShare: 0.5,
      resolvers: 8,
    });
  });

  it('is the same block for an ALB platform, with a resolver and its port', async () => {
    const probe = {
      url: 'https://shop.example.test/healthz',
      ratePerSecond: 50,
      servedByHeader: 'X-Cluster',
      errorBudget: 3,
      timeout: '500ms',
      keepAliveShare: 1,
      resolver: '127.0.0.1:5353',
      resolvers: 64,
    };
    const config = await loadPlatform(withValue(albPlatform, ['traffic', 'probe'], probe));
    const [platform] = config.platforms.values();
    if (platform === undefined) throw new Error('no platform loaded');
    expect(toPromotionPlan(platform, config.controller, roles).probe).toMatchObject({
      timeoutMs: 500,
      resolver: '127.0.0.1:5353',
      resolvers: 64,
      keepAliveShare: 1,
    });
  });

  it('names the key path of every mistake', async () => {
    const probe = {
      url: 'ftp://shop.example.test/',
      ratePerSecond: 0,
      servedByHeader: 'x served by',
      errorBudget: -1,
      timeout: '0s',
      keepAliveShare: 1.5,
      resolver: 'dns.example.test:53',
      resolvers: 0,
      interval: '1s',
    };
    expect(await problems(withValue(route53Platform, ['traffic', 'probe'], probe))).toEqual([
      'traffic.probe.url: must be an http(s) URL',
      'traffic.probe.ratePerSecond: must be at least 0.1',
      'traffic.probe.servedByHeader: must be an HTTP header name',
      'traffic.probe.errorBudget: must be at least 0',
      'traffic.probe.timeout: must be longer than 0',
      'traffic.probe.keepAliveShare: must be at most 1',
      'traffic.probe.resolver: must be a DNS server address like 10.0.0.2 or 127.0.0.1:5353 ([::1]:5353 for IPv6)',
      'traffic.probe.resolvers: must be at least 1',
      'traffic.probe.interval: unknown key (expected one of: url, ratePerSecond, servedByHeader, errorBudget, timeout, keepAliveShare, resolver, resolvers)',
    ]);
  });

  it('takes at most 64 resolvers, and whole ones', async () => {
    const url = 'http://shop.example.test/healthz';
    const probe = (resolvers: unknown) =>
      problems(withValue(route53Platform, ['traffic', 'probe'], { url, resolver: '10.0.0.2', resolvers }));
    expect(await probe(65)).toEqual(['traffic.probe.resolvers: must be at most 64']);
    expect(await probe(2.5)).toEqual(['traffic.probe.resolvers: expected a whole number, got 2.5']);
    expect(await probe('8')).toEqual(['traffic.probe.resolvers: expected a number, got "8"']);
  });

  it('needs a URL', async () => {
    expect(await problems(withValue(route53Platform, ['traffic', 'probe'], {}))).toEqual([
      'traffic.probe.url: required',
    ]);
  });
});
