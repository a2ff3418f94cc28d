import { describe, expect, it } from 'vitest';
import { roles } from '../../../src/api/auth.js';
import { dashboardRules } from '../../../src/api/dashboard/rules.js';
import { decommissionGateId } from '../../../src/domain/promotion.js';
import { apiHarness } from './harness.js';

interface Action {
  kind: string;
  gate?: string;
  confirm?: boolean;
}
interface Rules {
  mayAct(role: unknown, need: string): boolean;
  mayStart(role: unknown): boolean;
  promotionActions(role: unknown, promotion: object): Action[];
  checkDecommissionConfirmation(typed: string | null, promotion: object): { send: boolean; message: string };
}

/** The rules exactly as the browser runs them: the same source text, evaluated. */
const rules = new Function(
  `${dashboardRules}\nreturn { mayAct, mayStart, promotionActions, checkDecommissionConfirmation };`,
)() as Rules;

const stepGate = 'shift-traffic/3-to-50';
const promotion = (over: object = {}) => ({
  id: 'shop-20261127045751-7ea3',
  phase: 'waiting-approval',
  blue: { name: 'shop-a', slot: 'a' },
  gates: [
    { id: 'shift-traffic/2-to-10', approvedAt: '2026-11-27T05:00:00Z' },
    { id: stepGate },
    { id: decommissionGateId },
  ],
  ...over,
});
const kinds = (actions: Action[]) =>
  actions.map((a) => (a.kind === 'approve' ? `approve ${a.gate}` : a.kind));

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
      "'/v1/me'",
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
    // The rules the unit tests below check are the ones the browser gets.
    expect(script.body).toContain(dashboardRules);
  });

  it('shows nothing without a token: the data routes still answer 401', async () => {
    const { app } = await apiHarness();
    expect((await app.inject({ url: '/v1/promotions' })).statusCode).toBe(401);
  });

  it('offers no action before the role is known, and no start form until then', async () => {
    const { app } = await apiHarness();
    expect((await app.inject({ url: '/dashboard' })).body).toContain('<form id="start-form" hidden>');
    for (const role of [null, undefined, '', 'root']) {
      expect(rules.promotionActions(role, promotion())).toEqual([]);
      expect(rules.mayStart(role)).toBe(false);
    }
  });

  it('gives a viewer no buttons at all: every action would answer 403', () => {
    expect(rules.promotionActions('viewer', promotion())).toEqual([]);
    expect(rules.promotionActions('viewer', promotion({ phase: 'running' }))).toEqual([]);
    expect(rules.mayStart('viewer')).toBe(false);
  });

  it('shows the approve-decommission button to admins only; other open gates to operators too', () => {
    expect(kinds(rules.promotionActions('operator', promotion()))).toEqual([
      'pause',
      'resume',
      'weight',
      'rollback',
      `approve ${stepGate}`,
    ]);
    expect(rules.mayStart('operator')).toBe(true);
    const admin = rules.promotionActions('admin', promotion());
    expect(kinds(admin)).toEqual([
      'pause',
      'resume',
      'weight',
      'rollback',
      `approve ${stepGate}`,
      'approve decommission',
    ]);
    // Only deleting blue asks for the typed confirmation.
    expect(admin.filter((a) => a.confirm).map((a) => a.gate)).toEqual([decommissionGateId]);
    // The role order is the API's: the rules know every role it has.
    expect(roles.map((role) => rules.mayAct(role, 'operator'))).toEqual([false, true, true]);
  });

  it('offers nothing on a finished promotion', () => {
    for (const phase of ['succeeded', 'rolled-back', 'abandoned']) {
      expect(rules.promotionActions('admin', promotion({ phase }))).toEqual([]);
    }
  });

  it("sends the decommission approval only when blue's cluster name is typed", () => {
    const p = promotion();
    expect(rules.checkDecommissionConfirmation('shop-a', p)).toEqual({ send: true, message: '' });
    expect(rules.checkDecommissionConfirmation('  shop-a ', p).send).toBe(true);
    const wrong = rules.checkDecommissionConfirmation('shop-b', p);
    expect(wrong.send).toBe(false);
    expect(wrong.message).toMatch(/"shop-b" is not the blue cluster's name \(shop-a\); nothing was sent/);
    for (const typed of [null, '', '   ']) {
      const cancelled = rules.checkDecommissionConfirmation(typed, p);
      expect(cancelled).toEqual({
        send: false,
        message: expect.stringMatching(/cancelled; nothing was sent/),
      });
    }
    expect(rules.checkDecommissionConfirmation('SHOP-A', p).send).toBe(false);
  });
});
