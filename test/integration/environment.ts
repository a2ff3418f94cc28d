import { describe, inject } from 'vitest';
import type { TestEnvironmentInfo } from '../env/environment.js';

const provided = inject('testEnvironment');

/** A describe block that runs only when the test environment is up (it is skipped on explicit opt-out). */
export const describeWithServers = describe.skipIf(provided === null);

/** The running test environment; only call inside describeWithServers. */
export function testEnvironment(): TestEnvironmentInfo {
  if (provided === null) throw new Error('the test environment was not started');
  return provided;
}

/** Dummy credentials: moto accepts any, and they must never be real ones. */
export const dummyCredentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
