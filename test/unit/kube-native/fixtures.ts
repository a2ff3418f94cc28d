/**
 * Objects for the CRD tests: the example platform files as they are committed, and a promotion record
 * in the middle of a traffic shift, as the API answers it (every optional part of a record that the
 * stages fill in: stage evidence, traffic history, a gate, a manual change).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { promotionSchema } from '../../../src/api/schemas.js';
import { newPromotion } from '../../../src/domain/promotion.js';
import { greenPercent } from '../../../src/domain/weights.js';
import { testPromotion } from '../../fakes/promotions.js';

const platformsDir = new URL('../../../config/platforms/', import.meta.url);

/** Each example platform file (config/platforms/*.yaml), parsed, by file name. */
export function examplePlatformFiles(): [string, Record<string, unknown>][] {
  return readdirSync(platformsDir)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => [
      name,
      parse(readFileSync(new URL(name, platformsDir), 'utf8')) as Record<string, unknown>,
    ]);
}

/** A promotion baking its 10 % step, as GET /v1/promotions/{id} answers it (without events). */
export function promotionRecord(id = 'shop-1-35') {
  const started = newPromotion(testPromotion(id), new Date('2026-11-27T10:00:00Z'));
  const at = '2026-11-27T10:30:00.000Z';
  const record = {
    ...started,
    currentStage: 'shift-traffic' as const,
    stages: {
      ...started.stages,
      provision: { state: 'succeeded' as const, message: 'created shop-b', attempts: 0, finishedAt: at },
      foundation: {
        state: 'succeeded' as const,
        message: 'add-ons at their 1.35 versions',
        attempts: 0,
        saved: { addons: { 'vpc-cni': 'v1.19.0-eksbuild.1' } },
      },
      'shift-traffic': {
        state: 'running' as const,
        startedAt: at,
        message: 'baking 10%',
        attempts: 1,
        saved: { step: 1, part: 'bake' as const, changeId: 'C123', bakeUntil: '2026-11-27T10:40:00.000Z' },
      },
    },
    traffic: {
      green: greenPercent(10),
      manual: false,
      history: [
        { at, green: greenPercent(1), reason: 'step' as const, by: 'controller' },
        { at, green: greenPercent(10), reason: 'step' as const, by: 'controller' },
      ],
    },
    gates: [{ id: 'step-50', stage: 'shift-traffic' as const, reason: 'approval before 50%', openedAt: at }],
    nextRunAt: '2026-11-27T10:40:00.000Z',
    updatedAt: at,
    version: 7,
  };
  return promotionSchema.parse(record);
}
