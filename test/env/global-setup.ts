/**
 * vitest global setup for the integration project: starts moto and the blue/green kube-apiservers once
 * per run and stops them afterwards. The servers also exit by themselves if this process dies.
 *
 * In CI the environment is mandatory. Locally, SWITCHYARD_SKIP_INTEGRATION=1 skips it; the summary
 * reporter then says how many tests did not run.
 */
import type { TestProject } from 'vitest/node';
import { startTestEnvironment, type TestEnvironmentInfo } from './environment.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** null when integration tests were skipped on purpose (local opt-out). */
    testEnvironment: TestEnvironmentInfo | null;
  }
}

export const skipVariable = 'SWITCHYARD_SKIP_INTEGRATION';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env[skipVariable] === '1') {
    if (process.env.CI) {
      throw new Error(`${skipVariable}=1 is refused in CI: integration tests are mandatory there`);
    }
    project.provide('testEnvironment', null);
    return async () => {};
  }
  const started = Date.now();
  const environment = await startTestEnvironment();
  console.log(`test environment up in ${Date.now() - started} ms; logs in ${environment.info.runDir}`);
  project.provide('testEnvironment', environment.info);
  return () => environment.stop();
}
