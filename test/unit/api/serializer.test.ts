import { describe, expect, it } from 'vitest';
import { type ZodType, z } from 'zod';
import {
  platformSchema,
  promotionDetailSchema,
  promotionListSchema,
  promotionSchema,
} from '../../../src/api/schemas.js';
import {
  compiledSerializer,
  responseJsonSchema,
  withoutCatchAllUnions,
} from '../../../src/api/serializer.js';
import type { Promotion } from '../../../src/domain/promotion.js';
import { testPlan } from '../../fakes/promotions.js';
import { apiHarness, bearer, promote } from './harness.js';

/** What the zod serializer answered for this value: the schema's output, as JSON. */
const byZod = (schema: ZodType, value: unknown) => JSON.parse(JSON.stringify(z.encode(schema, value)));
const serializers = new Map<ZodType, (value: unknown) => string>();
const compiled = (schema: ZodType, value: unknown) => {
  if (!serializers.has(schema)) serializers.set(schema, compiledSerializer(schema));
  return JSON.parse((serializers.get(schema) as (value: unknown) => string)(value));
};

/** Records in the states a promotion goes through, with gates, traffic history and rollback state. */
async function records(): Promise<Promotion[]> {
  const seen: Promotion[] = [];
  const gated = await apiHarness({ plan: testPlan({ approvalAt: [50] }) });
  await promote(gated.app);
  seen.push(await gated.get('p-1'));
  seen.push(await gated.drive('p-1', { until: (p) => p.traffic.green === 10 }));
  seen.push(await gated.drive('p-1'));
  await gated.app.inject({
    method: 'POST',
    url: '/v1/promotions/p-1/rollback',
    headers: bearer('operator'),
    payload: { reason: 'error rate', mode: 'stepped', green: 'keep' },
  });
  seen.push(await gated.get('p-1'));
  seen.push(await gated.drive('p-1'));

  const straight = await apiHarness();
  await promote(straight.app);
  // Deleting blue waits for an admin's approval; then it runs to the end.
  seen.push(await straight.drive('p-1'));
  await straight.app.inject({ method: 'POST', url: '/v1/promotions/p-1/approve', headers: bearer('admin') });
  seen.push(await straight.drive('p-1'));
  return seen;
}

/** A record carrying what the engine writes only with canary analysis configured, and unknown extras. */
function withAnalysisAndExtras(p: Promotion): Promotion {
  const at = '2031-01-01T00:00:00.000Z';
  const measurement = { at, verdict: 'pass', green: 0.01, blue: 0.02, message: 'ok' };
  return {
    ...p,
    stages: {
      ...p.stages,
      foundation: {
        ...p.stages.foundation,
        saved: { addons: { 'vpc-cni': 'v1.19' }, list: [1, { x: null }] },
      },
      'shift-traffic': {
        ...p.stages['shift-traffic'],
        saved: {
          step: 1,
          part: 'bake',
          bakeUntil: at,
          futureField: { kept: true },
          analysis: {
            startedAt: at,
            runs: [{ name: 'errors', verdict: 'running', nextAt: at, measurements: [measurement] }],
          },
          analyzed: [
            {
              step: 0,
              green: 1,
              outcome: 'passed',
              analyses: [
                { name: 'errors', verdict: 'passed', pass: 3, fail: 0, inconclusive: 1, last: measurement },
              ],
            },
          ],
        },
      },
    },
    plan: {
      ...p.plan,
      steps: p.plan.steps.map((step) => ({
        ...step,
        analysis: [
          {
            name: 'errors',
            query: {
              provider: 'prometheus',
              url: 'http://prom',
              promql: 'sum(rate(x[1m]))',
              timeoutMs: 5000,
            },
            range: { max: 0.05 },
            intervalMs: 60_000,
            count: 3,
            failureLimit: 1,
            inconclusiveLimit: 1,
          },
        ],
      })),
    },
    // Not in the schema: both serializers leave it out.
    ...({ internalNote: 'not for clients' } as object),
  } as Promotion;
}

describe('the compiled response serializer', () => {
  it('writes what zod wrote, field for field, for real promotions in every state', async () => {
    const all = await records();
    expect(new Set(all.map((p) => p.phase))).toEqual(
      new Set(['running', 'waiting-approval', 'rolling-back', 'rolled-back', 'succeeded']),
    );
    for (const p of [...all, ...all.map(withAnalysisAndExtras)]) {
      expect(compiled(promotionSchema, p)).toStrictEqual(byZod(promotionSchema, p));
      const detail = {
        ...p,
        events: [
          {
            seq: 1,
            promotionId: p.id,
            at: p.createdAt,
            type: 't',
            message: 'm',
            actor: 'a',
            data: { n: [1] },
          },
        ],
        eventsTotal: 1,
      };
      expect(compiled(promotionDetailSchema, detail)).toStrictEqual(byZod(promotionDetailSchema, detail));
    }
    const list = { items: all.map(withAnalysisAndExtras), limit: 50, offset: 0 };
    expect(compiled(promotionListSchema, list)).toStrictEqual(byZod(promotionListSchema, list));
    expect(
      JSON.stringify(compiled(promotionSchema, withAnalysisAndExtras(all[0] as Promotion))),
    ).not.toContain('internalNote');
  });

  it('serves GET /v1/promotions/{id}, the list and the platforms as zod would have', async () => {
    const { app, drive } = await apiHarness({ plan: testPlan({ approvalAt: [50] }) });
    await promote(app);
    await drive('p-1');
    for (const [url, schema] of [
      ['/v1/promotions/p-1', promotionDetailSchema],
      ['/v1/promotions', promotionListSchema],
      ['/v1/platforms', z.object({ items: z.array(platformSchema) })],
    ] as const) {
      const answer = await app.inject({ url, headers: bearer('viewer') });
      expect(answer.statusCode).toBe(200);
      const body = answer.json();
      expect(body).toStrictEqual(byZod(schema, body));
    }
  });
});

describe('unions in the compiled serializer', () => {
  const open = { type: 'object', additionalProperties: true, description: 'any object' };
  const typed = { type: 'object', properties: { step: { type: 'integer' } } };

  it('writes a union that takes any object as that open object, and leaves other unions alone', () => {
    const schema = {
      type: 'object',
      properties: {
        saved: { anyOf: [typed, open], description: 'kept' },
        query: { oneOf: [typed, { type: 'string' }] },
      },
    };
    expect(withoutCatchAllUnions(schema)).toEqual({
      type: 'object',
      properties: {
        saved: { type: 'object', additionalProperties: true, description: 'any object' },
        query: { oneOf: [typed, { type: 'string' }] },
      },
    });
  });

  it("leaves no union with an open branch in the promotion's schema (stage saved states)", () => {
    const text = JSON.stringify(withoutCatchAllUnions(responseJsonSchema(promotionDetailSchema)));
    expect(JSON.stringify(responseJsonSchema(promotionDetailSchema))).toContain('"anyOf"');
    expect(text).not.toContain('"anyOf"');
  });
});
