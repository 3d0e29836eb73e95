export * as common from './gen/switchyard/common/v1/common_pb.js';
export * as llmproxy from './gen/switchyard/llmproxy/v1/llmproxy_pb.js';
export * as governance from './gen/switchyard/governance/v1/governance_pb.js';
export * as telemetry from './gen/switchyard/telemetry/v1/telemetry_pb.js';
export * as mcpconnector from './gen/switchyard/mcpconnector/v1/mcpconnector_pb.js';
export * as mcpadmin from './gen/switchyard/mcpconnector/v1/admin_pb.js';
export * as coderunner from './gen/switchyard/coderunner/v1/coderunner_pb.js';
export * as edge from './gen/switchyard/edge/v1/edge_pb.js';
export {
  createServiceDefinition, implementService, createClient, startGrpcServer, CHANNEL_OPTIONS, CLIENT_OPTIONS, SERVER_OPTIONS,
  type GrpcClient, type GrpcServerHandle, type ServiceBinding,
} from './grpc.js';
export type { HandlerContext, UnaryHandler, ServerStreamingHandler, ServiceImplementation, ServiceClient, CallOptions } from './grpc-types.js';
export { SUBJECTS, STREAMS } from './subjects.js';
export { useInProcessCalls } from './in-process.js';
export { timestampFromDate, timestampDate, create, toBinary, fromBinary, toJson, fromJson } from './wire.js';
export { auditEventToJson, type AuditEventJson } from './audit-json.js';
export { instrumentHandler, type RpcInstruments } from './instrument.js';
