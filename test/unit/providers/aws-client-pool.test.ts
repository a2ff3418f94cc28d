import { describe, expect, it, vi } from 'vitest';
import { createAwsClientPool } from '../../../src/providers/aws/clients.js';

const alice = { accessKeyId: 'AKIAALICE', secretAccessKey: 'secret-a' };
const bob = { accessKeyId: 'AKIABOB', secretAccessKey: 'secret-b' };

describe('AWS client pool', () => {
  it('hands out the same clients for the same region, endpoint and credentials', () => {
    const pool = createAwsClientPool();
    const first = pool.clients({ region: 'eu-west-1', credentials: alice });
    const again = pool.clients({ region: 'eu-west-1', credentials: { ...alice } });
    expect(again.eks).toBe(first.eks);
    expect(again.route53).toBe(first.route53);
    expect(again.elbv2).toBe(first.elbv2);
    expect(again.cloudwatch('us-east-1')).toBe(first.cloudwatch('us-east-1'));
    expect(pool.size).toBe(1);
    pool.destroy();
  });

  it('keeps regions, endpoints, credentials and retry budgets apart', () => {
    const pool = createAwsClientPool();
    const base = { region: 'eu-west-1', credentials: alice };
    const variants = [
      base,
      { ...base, region: 'us-east-1' },
      { ...base, endpoint: 'http://127.0.0.1:5000' },
      { ...base, credentials: bob },
      { ...base, credentials: { ...alice, sessionToken: 'session' } },
      { ...base, maxAttempts: 2 },
      { region: 'eu-west-1' },
    ];
    const clients = variants.map((connection) => pool.clients(connection).eks);
    expect(new Set(clients).size).toBe(variants.length);
    expect(pool.size).toBe(variants.length);
    pool.destroy();
    expect(pool.size).toBe(0);
  });

  it('does not let one user destroy clients the others still use; the pool destroys them at the end', () => {
    const pool = createAwsClientPool();
    const shared = pool.clients({ region: 'eu-west-1', credentials: alice });
    const destroyed = vi.spyOn(shared.eks, 'destroy');
    shared.destroy();
    expect(destroyed).not.toHaveBeenCalled();
    pool.destroy();
    expect(destroyed).toHaveBeenCalledOnce();
  });
});
