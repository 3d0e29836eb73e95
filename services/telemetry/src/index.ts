export { createApp, DURABLE_NAME, type TelemetryApp, type TelemetryDeps, type StartedTelemetry } from './app.js';
export {
  loadTelemetryConfig, loadTelemetryConfigFromProcess, telemetryConfigSchema,
  type TelemetryConfig, type LoadTelemetryConfigOptions,
} from './config.js';
export type { AuditRecord, AuditFilter, AuditQuery, AuditPage, AuditCursor, Outcome } from './domain/types.js';
