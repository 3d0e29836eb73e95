export { loadConfig, readConfigFile, configFileSection, deepMerge, compact, formatIssues, ConfigError, type LoadOptions, type Env, type ServiceConfigOptions } from './load.js';
export { envSecret, envInt, envBool, envList } from './env.js';
export * as fragments from './fragments.js';
export type { Backends, Observability, EndpointEnv } from './fragments.js';
export {
  modelPatternProblem, isValidModelPattern, matchesModelPattern, modelAllowed, compileModelPatterns, globMatch,
  ALLOW_ALL_MODELS, ALLOW_NO_MODELS, MAX_PATTERNS, MAX_PATTERN_LENGTH, type ModelMatcher,
} from './model-patterns.js';
