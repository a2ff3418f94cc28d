import { describe, expect, it } from 'vitest';
import { apiHarness } from './harness.js';

describe('dashboard', () => {
  it('serves the page and its script without a token, with a strict content security policy', async () => {
    const { app } = await apiHarness();
    expect((await app.inject({ url: '/' })).headers.location).toBe('/dashboard');
    const page = await app.inject({ url: '/dashboard' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.body).toContain('<script src="/dashboard/app.js"></script>');
    const script = await app.inject({ url: '/dashboard/app.js' });
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    // It drives the same API as the CLI, with the person's token, and never renders API text as HTML.
    for (const call of [
      "'/v1/platforms'",
      "'/v1/promotions?limit=20'",
      "'/rollback'",
      "'/approve'",
      "'/traffic'",
    ]) {
      expect(script.body).toContain(call);
    }
    expect(script.body).not.toMatch(/innerHTML|insertAdjacentHTML|document\.write/);
    expect(() => new Function(script.body)).not.toThrow();
  });

  it('shows nothing without a token: the data routes still answer 401', async () => {
    const { app } = await apiHarness();
    expect((await app.inject({ url: '/v1/promotions' })).statusCode).toBe(401);
  });
});
