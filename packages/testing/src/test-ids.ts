import { randomBytes } from 'node:crypto';

export interface TestIds {
  /** `<label>_<8 hex>`: lowercase, [a-z0-9_] only, no dots. */
  runId: string;
  /** Postgres schema: `t_<runId>`. */
  schema: string;
  /** Redis key prefix: `t:<runId>:`. */
  redisPrefix: string;
  /** NATS subject prefix: `t_<runId>.`. */
  subjectPrefix: string;
}

export interface TestEnv {
  databaseUrl: string;
  redisUrl: string;
  natsUrl: string;
}

// Postgres identifiers are at most 63 bytes: `t_` + label + `_` + 8 hex.
const MAX_LABEL = 63 - 2 - 1 - 8;

/** Identifiers that isolate one test run in the shared Postgres, Redis and NATS. */
export function testIds(label: string): TestIds {
  const clean =
    label
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, MAX_LABEL) || 'run';
  const runId = `${clean}_${randomBytes(4).toString('hex')}`;
  return {
    runId,
    schema: `t_${runId}`,
    redisPrefix: `t:${runId}:`,
    subjectPrefix: `t_${runId}.`,
  };
}

/** Where the test infrastructure lives: `TEST_DATABASE_URL`, `TEST_REDIS_URL`, `TEST_NATS_URL`. */
export function testEnv(env: NodeJS.ProcessEnv = process.env): TestEnv {
  return {
    databaseUrl: env['TEST_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/test',
    redisUrl: env['TEST_REDIS_URL'] || 'redis://127.0.0.1:6379',
    natsUrl: env['TEST_NATS_URL'] || 'nats://127.0.0.1:4222',
  };
}
