// Runs before each integration test file: every file starts from an empty AWS account.
import { beforeAll, inject } from 'vitest';
import { resetMoto } from '../env/moto.js';

beforeAll(async () => {
  const environment = inject('testEnvironment');
  if (environment) await resetMoto(environment.awsEndpoint);
});
