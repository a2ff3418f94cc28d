/**
 * A controller process for the crash tests: SQLite store + real reconciler + the file-backed fake
 * cloud, with an operator loop that approves gates (and, in the rollback scenario, asks for a
 * rollback once half the traffic is on green). It kills itself with SIGKILL at the chosen point:
 *   call:N   right after the N-th provider call took effect, before its result is stored
 *   write:N  right after the N-th store write committed (a stage boundary or a step within one)
 * On completion it prints "RESULT <json>" with the counts the parent needs to enumerate kill points.
 *
 * Usage: node --import tsx child.ts <db> <cloud.json> <scenario: promote|rollback> <kill: none|call:N|write:N>
 */
import { existsSync, writeFileSync } from 'node:fs';
import pino from 'pino';
import type { PromotionPlan } from '../../src/domain/plan.js';
import { isFinished } from '../../src/domain/promotion.js';
import { greenPercent } from '../../src/domain/weights.js';
import { Controller } from '../../src/engine/controller.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { PromotionStore } from '../../src/store/store.js';
import { orderedStages } from '../../stages/index.js';
import { FakeCloud, initialCloud } from '../fakes/fake-cloud.js';
import { testPromotion } from '../fakes/promotions.js';

const [dbPath, cloudFile, scenario, kill] = process.argv.slice(2);
if (!dbPath || !cloudFile || (scenario !== 'promote' && scenario !== 'rollback') || !kill) {
  console.error('usage: child.ts <db> <cloud.json> <promote|rollback> <none|call:N|write:N>');
  process.exit(2);
}
const [killKind, killAtText] = kill.split(':');
const killAt = Number(killAtText);

if (!existsSync(cloudFile)) writeFileSync(cloudFile, JSON.stringify(initialCloud('shop-blue')));
const cloud = FakeCloud.load(cloudFile);
let calls = 0;
cloud.behaviour.afterCall = () => {
  calls++;
  if (killKind === 'call' && calls === killAt) process.kill(process.pid, 'SIGKILL');
};

// Count committed writes; die right after the chosen one is on disk.
const sqlite = openSqliteStore(dbPath);
let writes = 0;
const afterWrite = <T>(result: T): T => {
  writes++;
  if (killKind === 'write' && writes === killAt) process.kill(process.pid, 'SIGKILL');
  return result;
};
const store: PromotionStore = {
  ...sqlite,
  create: async (p, e) => afterWrite(await sqlite.create(p, e)),
  update: async (p, e) => afterWrite(await sqlite.update(p, e)),
};

// Real time, scaled down: every wait is milliseconds, so a whole promotion runs in well under a second.
const plan: PromotionPlan = {
  ttlSeconds: 0.02,
  steps: [10, 50, 100].map((g) => ({ green: greenPercent(g), bakeMs: 20, approval: false })),
  rollback: {
    mode: 'instant',
    green: 'teardown',
    drainDelayMs: 80,
    automatic: true,
    steps: [],
    stepBakeMs: 20,
  },
  retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
  stageTimeoutsMs: {},
  // As long as a bake: a baking step then looks at green once, so the number of provider calls (the
  // kill points) does not depend on how the real timers fall.
  pollIntervalMs: 20,
};
const providers = cloud.providers(0.02);
const controller = new Controller({
  store,
  stages: orderedStages,
  providersFor: () => providers,
  log: pino({ level: 'silent' }),
});

await controller.start();
if ((await store.get('p-1')) === undefined) await controller.startPromotion(testPromotion('p-1', plan));

// The operator: acts on what the store shows, so a restarted process never repeats a request.
for (;;) {
  const promotion = await store.get('p-1');
  if (promotion === undefined) throw new Error('promotion lost');
  if (isFinished(promotion)) break;
  if (promotion.phase === 'waiting-approval')
    await controller.approve('p-1', undefined, { name: 'operator', mayDecommission: true });
  if (scenario === 'rollback' && promotion.phase !== 'rolling-back' && promotion.traffic.green >= 50) {
    await controller.rollback('p-1', { by: 'operator', reason: 'crash test' });
  }
  await new Promise((r) => setTimeout(r, 5));
}
await controller.stop();
const final = await store.get('p-1');
console.log(`RESULT ${JSON.stringify({ calls, writes, phase: final?.phase, rollback: final?.rollback })}`);
await sqlite.close();
