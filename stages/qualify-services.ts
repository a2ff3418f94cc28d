import type { Stage } from '../src/domain/stage.js';
import { qualificationResult } from './qualify.js';

/** Judges green's services (rollout status, smoke probes) before they take any traffic. */
export const qualifyServices: Stage = {
  name: 'qualify-services',
  async run(context) {
    const { promotion, providers } = context;
    const qualification = await providers.services.qualify(promotion.green);
    return qualificationResult('services', qualification, context);
  },
};
