export * from './types.js';
export * from './tool-scope.js';
export * from './periods.js';
export * from './prices.js';
export * from './counters.js';
export { MemoryCounterDriver } from './memory-counters.js';
export { RedisCounterDriver, RESERVE_SCRIPT, ADJUST_SCRIPT } from './redis-counters.js';
