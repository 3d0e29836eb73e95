import { defineConfig } from 'vitest/config';

// One run, three projects. Integration and e2e tests use the real Postgres, Redis and
// NATS on localhost, each suite in its own schema, key prefix and subject prefix.
export default defineConfig({
  test: {
    reporters: ['default', './vitest.summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{packages,services}/*/test/unit/**/*.test.ts', 'loadtest/test/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['{packages,services}/*/test/integration/**/*.test.ts', 'deploy/test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['services/*/test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
