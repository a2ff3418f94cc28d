import type { Stage } from '../src/domain/stage.js';
import { lookAgain } from './look-again.js';

/** Deploys the platform's services to green and waits until the deployment reports done. */
export const services: Stage = {
  name: 'services',
  async run(context) {
    const { promotion, providers } = context;
    const observed = await providers.services.deploy({
      promotionId: promotion.id,
      from: promotion.blue,
      to: promotion.green,
    });
    if (!observed.ready) return lookAgain(context, observed.message);
    return { phase: 'succeeded', message: observed.message };
  },
};
