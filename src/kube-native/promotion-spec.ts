/**
 * What a Promotion resource's `spec` holds: the request that starts it (POST /v1/promotions's body)
 * and the actions a person takes later by editing it, each the body of its REST call. A controller
 * acts on a change of these fields the way it acts on the call.
 */
import { z } from 'zod';
import { createPromotionSchema, rollbackRequestSchema, trafficSchema } from '../api/schemas.js';

export const promotionSpecSchema = createPromotionSchema.extend({
  paused: z
    .boolean()
    .optional()
    .describe('true pauses the promotion (POST …/pause); setting it back to false resumes it'),
  rollback: rollbackRequestSchema
    .optional()
    .describe('set to roll back (POST …/rollback); a rollback, once requested, is not undone by removing it'),
  weight: trafficSchema
    .optional()
    .describe(
      'a manual traffic weight (PUT …/traffic): green gets this percent and automatic stepping pauses',
    ),
});

export type PromotionSpec = z.output<typeof promotionSpecSchema>;
