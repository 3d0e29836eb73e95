export { createApp, type GovernanceApp, type GovernanceDeps, type StartedGovernance, type PGlite } from './app.js';
export {
  governanceConfigSchema, loadGovernanceConfig, governanceConfigFromEnvironment,
  type GovernanceConfig, type LoadGovernanceConfigOptions,
} from './config.js';
export { hashSecret, SECRET_FORMAT } from './domain/index.js';
export type { KeyRecord, PolicyChange, PolicyKind } from './domain/index.js';
export { migrations } from './adapters/pg/migrations/index.js';
