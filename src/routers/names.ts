/**
 * The router kinds by name, without their code: what the API schema and the CLI need, so they do not
 * load AWS SDKs. ./registry.ts maps each name to its folder, and fails to compile if the two differ.
 */
export const routerNames = ['route53', 'alb'] as const;
export type RouterName = (typeof routerNames)[number];
