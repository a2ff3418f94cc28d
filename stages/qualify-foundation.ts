import type { Stage } from '../src/domain/stage.js';
import { qualificationResult } from './qualify.js';

/** Judges green's foundation software (DNS, CNI, kube-proxy, ingress, autoscaling, nodes, APIs) before it is live. */
export const qualifyFoundation: Stage = {
  name: 'qualify-foundation',
  async run(context) {
    const { promotion, providers } = context;
    const qualification = await providers.health.qualifyFoundation({
      green: promotion.green,
      blue: promotion.blue,
      targetVersion: promotion.toVersion,
    });
    return qualificationResult('foundation', qualification, context);
  },
};
