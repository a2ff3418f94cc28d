import type { Stage } from '../src/domain/stage.js';
import { lookAgain } from './look-again.js';

/** Node groups and managed add-ons on green, at versions compatible with the target. */
export const foundation: Stage = {
  name: 'foundation',
  async run(context) {
    const { promotion, providers } = context;
    // Kept fresh while node groups and add-ons come up (minutes on EKS): see provision.
    providers.health.prepareQualification({ blue: promotion.blue, targetVersion: promotion.toVersion });
    const observed = await providers.clusters.ensureFoundation({
      promotionId: promotion.id,
      cluster: promotion.green,
      version: promotion.toVersion,
    });
    if (!observed.ready) return lookAgain(context, observed.message);
    return { phase: 'succeeded', message: observed.message, saved: { addons: observed.addons ?? {} } };
  },
};
