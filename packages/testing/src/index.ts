export { freePort } from './free-port.js';
export { testIds, testEnv, type TestIds, type TestEnv } from './test-ids.js';
export { createSchema, dropSchema, withSchema, withSearchPath, type TestSchema } from './schema.js';
export { startProcess, type StartProcessOptions, type StartedProcess } from './process.js';
export { waitFor, type WaitForOptions } from './wait-for.js';
export { parseSse, type SseEvent } from './sse-parse.js';
export * from './mock-provider/index.js';
