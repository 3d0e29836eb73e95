export { createApp, type McpConnectorApp, type McpConnectorDeps, type StartedMcpConnector } from './app.js';
export {
  mcpConnectorConfigSchema, mcpClientConfigSchema, loadMcpConnectorConfig, mcpConnectorConfigFromEnvironment,
  type McpConnectorConfig, type McpConnectorConfigInput, type McpClientConfig, type LoadMcpConnectorConfigOptions,
} from './config.js';
export { exposedToolName, MAX_TOOL_NAME } from './domain/naming.js';
export type { ClientStatus, ExposedTool } from './domain/connector.js';
export type { ClientState } from './domain/health.js';
