export { createApp, type AppDeps, type LlmProxyApp } from './app.js';
export {
  llmProxyConfigSchema, loadLlmProxyConfig, loadLlmProxyConfigFromEnv,
  type LlmProxyConfig, type ProviderConfig, type ProviderKeyConfig, type LoadLlmProxyConfigOptions,
} from './config.js';
export type { Hook, HookContext, HookResult, EarlyAnswer } from './domain/pipeline.js';
export type { ChatRequest, RouteOutcome, Usage, CallInfo } from './domain/types.js';
