import type { Stage } from '../src/domain/stage.js';

/** Deploys the platform's services to green and waits until the deployment reports done. */
export const services: Stage = {
  name: 'services',
  async run({ promotion, providers }) {
    const observed = await providers.services.deploy({
      promotionId: promotion.id,
      from: promotion.blue,
      to: promotion.green,
    });
    if (!observed.ready) {
      return { phase: 'running', requeueAfterMs: promotion.plan.pollIntervalMs, message: observed.message };
    }
    return { phase: 'succeeded', message: observed.message };
  },
};
