import type { Stage } from '../src/domain/stage.js';
import { stageNames } from '../src/domain/stages.js';
import { decommission } from './decommission.js';
import { foundation } from './foundation.js';
import { provision } from './provision.js';
import { qualifyFoundation } from './qualify-foundation.js';
import { qualifyServices } from './qualify-services.js';
import { services } from './services.js';
import { shiftTraffic } from './shift-traffic.js';

/** Every stage, in the order a promotion runs them. */
export const orderedStages: readonly Stage[] = [
  provision,
  foundation,
  qualifyFoundation,
  services,
  qualifyServices,
  shiftTraffic,
  decommission,
];

// The list must match the domain's order exactly; a mismatch is a programming error caught at start-up.
if (orderedStages.map((s) => s.name).join() !== stageNames.join()) {
  throw new Error('stages/index.ts: stage order differs from src/domain/stages.ts');
}
