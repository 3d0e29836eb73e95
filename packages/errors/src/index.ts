export { KINDS, ERROR_KINDS, isErrorKind, type ErrorKind, type KindSpec } from './kinds.js';
export { SwitchyardError, isSwitchyardError, toSwitchyardError, type SwitchyardErrorOptions } from './error.js';
export { toOpenAIError, toAnthropicError, type OpenAIErrorBody, type AnthropicErrorBody, type HttpError } from './http.js';
export { toGrpcStatus, fromGrpcError } from './grpc.js';
export { toJsonRpcError, type JsonRpcErrorObject } from './jsonrpc.js';
