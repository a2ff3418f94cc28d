import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { defaultMaxConcurrentPlatforms } from '../../../src/config/schema.js';
import { Reconciler } from '../../../src/engine/reconciler.js';
import { KeyedSerializer } from '../../../src/providers/aws/serial.js';
import { createMemoryStore } from '../../../src/store/memory.js';

const log = pino({ level: 'silent' });
const now = () => new Date('2026-11-25T10:00:00Z');
const tick = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A fleet on the default concurrency: passes wait on providers, so many run at once, while weight
 * writes to one hosted zone still go strictly one after another (the process's KeyedSerializer).
 */
describe('reconciler with a fleet', () => {
  it('runs up to the default number of passes at once and never interleaves two writes to one zone', async () => {
    const serializer = new KeyedSerializer();
    const trace: string[] = [];
    const releases: (() => void)[] = [];
    let running = 0;
    let maxRunning = 0;
    // Platform i writes to zone "Z1" (even i) or "Z2" (odd i); each write waits until released.
    const pass = async (id: string) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      const zone = Number(id.slice(1)) % 2 === 0 ? 'Z1' : 'Z2';
      await serializer.run(zone, async () => {
        trace.push(`${zone} start ${id}`);
        await new Promise<void>((resolve) => releases.push(resolve));
        trace.push(`${zone} end ${id}`);
      });
      running--;
      return {};
    };
    const reconciler = new Reconciler({
      store: createMemoryStore({ now }),
      pass,
      maxConcurrent: defaultMaxConcurrentPlatforms,
      now,
      log,
    });
    const fleet = Array.from({ length: defaultMaxConcurrentPlatforms * 2 }, (_, i) => `p${i}`);
    for (const id of fleet) reconciler.wake(id);
    while (running < defaultMaxConcurrentPlatforms) await tick();
    // Every slot is taken; one write per zone is in progress, the rest of the passes wait their turn.
    expect(maxRunning).toBe(defaultMaxConcurrentPlatforms);
    expect(releases).toHaveLength(2);
    while (trace.length < fleet.length * 2) {
      releases.shift()?.();
      await tick();
    }
    await reconciler.idle();
    await reconciler.stop();

    expect(maxRunning).toBe(defaultMaxConcurrentPlatforms);
    for (const zone of ['Z1', 'Z2']) {
      const writes = trace.filter((line) => line.startsWith(zone));
      expect(writes).toHaveLength(fleet.length);
      // Start and end alternate for the same promotion: no write to a zone began before the last ended.
      for (let i = 0; i < writes.length; i += 2) {
        expect(writes[i + 1]).toBe((writes[i] as string).replace('start', 'end'));
      }
    }
  });
});
