import type { Stage } from '../src/domain/stage.js';
import { lookAgain } from './look-again.js';

/** Creates the green cluster at the target version (or checks the adopted one) and waits for ACTIVE. */
export const provision: Stage = {
  name: 'provision',
  async run(context) {
    const { promotion, providers } = context;
    const cluster = await providers.clusters.ensureCluster({
      promotionId: promotion.id,
      cluster: promotion.green,
      version: promotion.toVersion,
      // The same token on every call: a repeat after a crash finds the cluster instead of creating another.
      idempotencyToken: `${promotion.id}-provision`,
    });
    // Blue's removed-API scan does not depend on green: it runs while green is built, started once the
    // create is under way so that its dozens of reads do not delay the create itself.
    providers.health.prepareQualification({ blue: promotion.blue, targetVersion: promotion.toVersion });
    if (cluster.failed) return { phase: 'failed', retryable: false, message: cluster.message };
    if (!cluster.ready) return lookAgain(context, cluster.message);
    return { phase: 'succeeded', message: cluster.message };
  },
};
