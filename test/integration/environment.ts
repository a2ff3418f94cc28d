import { afterAll, describe, inject } from 'vitest';
import { type AwsClients, createAwsClients } from '../../src/providers/aws/clients.js';
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

/**
 * SDK clients pointed at the environment's moto, as Switchyard builds them, destroyed after the
 * describe block. Only call inside describeWithServers.
 */
export function motoClients(): AwsClients {
  const env = testEnvironment();
  const clients = createAwsClients({
    region: env.awsRegion,
    endpoint: env.awsEndpoint,
    credentials: dummyCredentials,
  });
  afterAll(() => clients.destroy());
  return clients;
}
