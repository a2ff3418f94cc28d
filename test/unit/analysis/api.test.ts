import { describe, expect, it } from 'vitest';
import { analysedPlan, errorRate } from '../../fakes/analysis.js';
import { apiHarness, bearer } from '../api/harness.js';

describe('analysis in the promotions API', () => {
  it('GET /v1/promotions/{id} shows the analysis plan and the measurements taken so far', async () => {
    const h = await apiHarness({ plan: analysedPlan([errorRate()]) });
    h.cloud.behaviour.metric = () => ({ value: 0.002 });
    const created = await h.app.inject({
      method: 'POST',
      url: '/v1/promotions',
      headers: bearer('operator'),
      payload: { platform: 'shop', targetVersion: '1.35' },
    });
    const id = created.json().id as string;
    // Into the second step's bake: two measurements at 10%.
    await h.drive(id, {
      until: (p) => {
        const saved = p.stages['shift-traffic'].saved as {
          analysis?: { runs: { measurements: unknown[] }[] };
        };
        return p.traffic.green === 10 && saved?.analysis?.runs[0]?.measurements.length === 2;
      },
    });

    const response = await h.app.inject({ url: `/v1/promotions/${id}`, headers: bearer('viewer') });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.plan.steps[0].analysis).toEqual([
      expect.objectContaining({
        name: 'error-rate',
        count: 3,
        query: expect.objectContaining({ provider: 'prometheus' }),
      }),
    ]);
    expect(body.stages['shift-traffic'].saved).toEqual({
      step: 1,
      part: 'bake',
      bakeUntil: expect.any(String),
      analysis: {
        startedAt: expect.any(String),
        runs: [
          {
            name: 'error-rate',
            verdict: 'running',
            nextAt: expect.any(String),
            measurements: [
              { at: expect.any(String), verdict: 'pass', green: 0.002, message: 'green 0.002' },
              { at: expect.any(String), verdict: 'pass', green: 0.002, message: 'green 0.002' },
            ],
          },
        ],
      },
      analyzed: [
        {
          step: 0,
          green: 1,
          outcome: 'passed',
          analyses: [
            {
              name: 'error-rate',
              verdict: 'passed',
              pass: 3,
              fail: 0,
              inconclusive: 0,
              last: { at: expect.any(String), verdict: 'pass', green: 0.002, message: 'green 0.002' },
            },
          ],
        },
      ],
      greenWatch: { at: expect.any(String), serving: true, message: 'serving', degradedLooks: 0 },
    });
    // Other stages' saved status passes through untouched.
    expect(body.stages.foundation.saved).toEqual({ addons: { 'vpc-cni': 'v1.20.0-eksbuild.1' } });
    expect(body.stages['qualify-services'].saved).toEqual((await h.get(id)).stages['qualify-services'].saved);
  });
});
