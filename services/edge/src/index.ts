export { createApp, type EdgeApp, type EdgeDeps } from './app.js';
export { edgeConfigSchema, edgeEnv, loadEdgeConfig, type EdgeConfig, type EdgeConfigInput, type LoadEdgeConfigOptions } from './config.js';
export { hashKey } from './domain/policy.js';
export type { KeyPolicy, Principal, RouteOutcome } from './domain/types.js';
