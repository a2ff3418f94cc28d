import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The SDK warns once per worker that its 2027 releases need Node 22; we know (see README), and the
    // warning would bury test output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: ['default', './test/env/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        // Kills real controller processes at every kill point; minutes, not seconds, so its own project.
        test: { name: 'crash', include: ['test/crash/**/*.test.ts'], testTimeout: 600_000 },
      },
      {
        extends: true,
        test: {
          // The controller as a separate process (`switchyard serve`), driven through HTTP and the CLI.
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/env/global-setup.ts'],
          setupFiles: ['test/integration/reset-moto.ts'],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/env/global-setup.ts'],
          setupFiles: ['test/integration/reset-moto.ts'],
          // One moto serves the whole run and is reset before each file, so files must not overlap.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
