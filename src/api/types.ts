import type { z } from 'zod';
import type { planSchema, platformSchema } from './schemas.js';

export type PlatformSummary = Omit<z.output<typeof platformSchema>, 'activePromotion'>;
export type PlanReport = z.output<typeof planSchema>;
