import {
  JSONRPC_INVALID_PARAMS, JSONRPC_METHOD_NOT_FOUND, LOG_LEVELS, SUPPORTED_PROTOCOL_VERSIONS, rpcError,
  type Classified, type JsonRpcId, type JsonRpcResponse, type ServerInfo,
} from './mcp-server-protocol.js';

/**
 * The 2026-07-28 ("modern") era of the northbound MCP server, next to the legacy era on
 * the same URL. Pure: era classification, the request-metadata checks of the Streamable
 * HTTP binding (headers mirrored from the body), and the fields every modern result
 * carries. A modern request is stateless: no initialize, no session; its protocol
 * version, client info and capabilities ride in `params._meta` on every request.
 *
 * Classification is body-first, as the spec's dual-era rule says ("a request carrying
 * modern per-request `_meta` is served statelessly; an `initialize` request selects
 * legacy semantics"): the `MCP-Protocol-Version` header is only a cross-check.
 */

export const MODERN_PROTOCOL_VERSIONS: readonly string[] = ['2026-07-28'];
/** Every version this server speaks, newest first (`server/discover`, -32022). */
export const ALL_PROTOCOL_VERSIONS: readonly string[] = [...MODERN_PROTOCOL_VERSIONS, ...SUPPORTED_PROTOCOL_VERSIONS];

export const META_PROTOCOL_VERSION = 'io.modelcontextprotocol/protocolVersion';
export const META_CLIENT_INFO = 'io.modelcontextprotocol/clientInfo';
export const META_CLIENT_CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';
export const META_LOG_LEVEL = 'io.modelcontextprotocol/logLevel';
export const META_SERVER_INFO = 'io.modelcontextprotocol/serverInfo';
export const META_SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId';

export const HEADER_MISMATCH = -32020;
export const UNSUPPORTED_PROTOCOL_VERSION = -32022;

/** The methods a modern client may call here; anything else is 404 + -32601. */
export const MODERN_METHODS: ReadonlySet<string> = new Set([
  'server/discover', 'subscriptions/listen', 'tools/list', 'tools/call', 'resources/list', 'resources/templates/list',
  'resources/read', 'prompts/list', 'prompts/get', 'completion/complete',
]);

/** Results that carry `ttlMs` and `cacheScope` (caching utility, SEP-2549). */
const CACHEABLE: ReadonlySet<string> = new Set(['server/discover', 'tools/list', 'prompts/list', 'resources/list', 'resources/templates/list', 'resources/read']);

/** `Mcp-Name` mirrors this body field for these methods. */
const NAME_SOURCE: Readonly<Record<string, 'name' | 'uri'>> = { 'tools/call': 'name', 'prompts/get': 'name', 'resources/read': 'uri' };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What one modern request declares about its caller (per request, never remembered). */
export interface ModernEnvelope {
  readonly version: string;
  readonly clientInfo: unknown;
  readonly capabilities: Json;
  /** `io.modelcontextprotocol/logLevel`; absent: no `notifications/message` for this request. */
  readonly logLevel: string | undefined;
}

export type EraVerdict =
  | { readonly era: 'legacy' }
  /** `envelope` is absent for a notification (notifications carry no envelope of their own). */
  | { readonly era: 'modern'; readonly envelope: ModernEnvelope | undefined; readonly params: Json | undefined }
  | { readonly era: 'rejected'; readonly status: number; readonly body: JsonRpcResponse };

type Headers = (name: string) => string | undefined;

function reject(id: JsonRpcId | null, code: number, message: string, data?: unknown): EraVerdict {
  const body = rpcError(id, code, message);
  if (data !== undefined) body.error!.data = data;
  return { era: 'rejected', status: 400, body };
}

/** Decodes `=?base64?…?=`; undefined for a value that is not a valid header value. */
export function decodeHeaderValue(raw: string): string | undefined {
  const m = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/.exec(raw);
  if (m) return Buffer.from(m[1]!, 'base64').toString('utf8');
  return /^[\x20-\x7e\t]*$/.test(raw) ? raw : undefined;
}

/** The body without the reserved envelope keys, so they are not forwarded upstream as the caller's own `_meta`. */
function stripEnvelope(params: Json | undefined): Json | undefined {
  const meta = params?._meta;
  if (!params || !isObject(meta)) return params;
  const rest: Json = {};
  for (const [k, v] of Object.entries(meta)) if (!k.startsWith('io.modelcontextprotocol/')) rest[k] = v;
  const { _meta: _drop, ...others } = params;
  return Object.keys(rest).length === 0 ? others : { ...others, _meta: rest };
}

/**
 * Decides the era of one POSTed message and, for a modern request, checks its envelope
 * and the standard headers (`MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`).
 */
export function classifyEra(msg: Exclude<Classified, { kind: 'invalid' }>, header: Headers): EraVerdict {
  if (msg.kind === 'response') return { era: 'legacy' };
  const headerVersion = header('mcp-protocol-version');
  const meta = isObject(msg.params?._meta) ? msg.params._meta : undefined;
  const claim = meta?.[META_PROTOCOL_VERSION];
  const id = msg.kind === 'request' ? msg.id : null;
  if (claim === undefined) {
    const modernHeader = headerVersion !== undefined && MODERN_PROTOCOL_VERSIONS.includes(headerVersion);
    if (!modernHeader || (msg.kind === 'request' && msg.method === 'initialize')) return { era: 'legacy' };
    if (msg.kind === 'notification') return methodHeader(msg.method, header, false) ?? { era: 'modern', envelope: undefined, params: msg.params };
    return reject(id, JSONRPC_INVALID_PARAMS, `Invalid params: _meta["${META_PROTOCOL_VERSION}"] is required with MCP-Protocol-Version ${headerVersion}`);
  }
  if (typeof claim !== 'string') return reject(id, JSONRPC_INVALID_PARAMS, `Invalid params: _meta["${META_PROTOCOL_VERSION}"] must be a string`);
  // A claim naming a legacy revision is legacy traffic (it needs initialize and a session).
  if (SUPPORTED_PROTOCOL_VERSIONS.includes(claim)) return { era: 'legacy' };
  if (headerVersion !== claim) {
    return reject(id, HEADER_MISMATCH, headerVersion === undefined
      ? 'Header mismatch: MCP-Protocol-Version header is required'
      : `Header mismatch: MCP-Protocol-Version header value '${headerVersion}' does not match body value '${claim}'`);
  }
  if (!MODERN_PROTOCOL_VERSIONS.includes(claim)) {
    return reject(id, UNSUPPORTED_PROTOCOL_VERSION, 'Unsupported protocol version', { supported: ALL_PROTOCOL_VERSIONS, requested: claim });
  }
  const mismatch = methodHeader(msg.method, header, msg.kind === 'request');
  if (mismatch) return mismatch;
  if (msg.kind === 'notification') return { era: 'modern', envelope: undefined, params: stripEnvelope(msg.params) };
  const source = NAME_SOURCE[msg.method];
  if (source !== undefined) {
    const raw = header('mcp-name');
    const value = msg.params?.[source];
    if (raw === undefined) return reject(id, HEADER_MISMATCH, 'Header mismatch: Mcp-Name header is required');
    const decoded = decodeHeaderValue(raw);
    if (decoded === undefined) return reject(id, HEADER_MISMATCH, 'Header mismatch: Mcp-Name header has invalid characters');
    if (decoded !== value) return reject(id, HEADER_MISMATCH, `Header mismatch: Mcp-Name header value '${decoded}' does not match body value '${String(value)}'`);
  }
  const capabilities = meta?.[META_CLIENT_CAPABILITIES];
  if (!isObject(capabilities)) return reject(id, JSONRPC_INVALID_PARAMS, `Invalid params: _meta["${META_CLIENT_CAPABILITIES}"] is required (an object)`);
  const logLevel = meta?.[META_LOG_LEVEL];
  if (logLevel !== undefined && (typeof logLevel !== 'string' || !LOG_LEVELS.includes(logLevel))) {
    return reject(id, JSONRPC_INVALID_PARAMS, `Invalid params: _meta["${META_LOG_LEVEL}"] must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return {
    era: 'modern',
    envelope: { version: claim, clientInfo: meta?.[META_CLIENT_INFO], capabilities, logLevel: logLevel as string | undefined },
    params: stripEnvelope(msg.params),
  };
}

/** `Mcp-Method` must match the body; it is required on requests (the spec defines no header rules for notification POSTs). */
function methodHeader(method: string, header: Headers, required: boolean): EraVerdict | undefined {
  const raw = header('mcp-method');
  if (raw === undefined) return required ? reject(null, HEADER_MISMATCH, 'Header mismatch: Mcp-Method header is required') : undefined;
  if (raw !== method) return reject(null, HEADER_MISMATCH, `Header mismatch: Mcp-Method header value '${raw}' does not match body value '${method}'`);
  return undefined;
}

/** `x-mcp-header` annotations of a tool's input schema: header name → property path. */
export function mirroredParams(inputSchema: unknown): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  const walk = (schema: unknown, path: readonly string[]): void => {
    if (!isObject(schema) || !isObject(schema.properties)) return;
    for (const [name, prop] of Object.entries(schema.properties)) {
      if (!isObject(prop)) continue;
      if (typeof prop['x-mcp-header'] === 'string') out.set(prop['x-mcp-header'].toLowerCase(), [...path, name]);
      walk(prop, [...path, name]);
    }
  };
  walk(inputSchema, []);
  return out;
}

function headerForm(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * `Mcp-Param-{Name}` against the call's arguments, for the parameters the tool mirrors:
 * a present value needs a matching header, an absent one no header. Undefined: all good.
 */
export function checkParamHeaders(inputSchema: unknown, args: Json, header: Headers): string | undefined {
  for (const [name, path] of mirroredParams(inputSchema)) {
    let value: unknown = args;
    for (const key of path) value = isObject(value) ? value[key] : undefined;
    const raw = header(`mcp-param-${name}`);
    if (value === undefined || value === null) {
      if (raw !== undefined) return `Header mismatch: Mcp-Param-${name} header sent for an absent argument`;
      continue;
    }
    if (raw === undefined) return `Header mismatch: Mcp-Param-${name} header is required`;
    const decoded = decodeHeaderValue(raw);
    if (decoded === undefined) return `Header mismatch: Mcp-Param-${name} header has invalid characters`;
    const same = typeof value === 'number' ? Number(decoded) === value : decoded === headerForm(value);
    if (!same) return `Header mismatch: Mcp-Param-${name} header value does not match the argument`;
  }
  return undefined;
}

/** How long a modern client may treat a result as fresh: 0, since upstream data can change at any time (listen for changes). */
const TTL_MS = 0;

/** A modern result: `resultType`, the server's identity in `_meta`, and cache hints where the revision requires them. */
export function modernResult(method: string, result: unknown, info: ServerInfo): Json {
  const r: Json = isObject(result) ? { ...result } : {};
  r.resultType ??= 'complete';
  r._meta = { ...(isObject(r._meta) ? r._meta : {}), [META_SERVER_INFO]: { name: info.name, version: info.version } };
  if (CACHEABLE.has(method) && r.resultType === 'complete') {
    r.ttlMs = typeof r.ttlMs === 'number' && r.ttlMs >= 0 ? r.ttlMs : TTL_MS;
    // Lists are cut to the caller's key scope, so they are private to its credentials.
    r.cacheScope = r.cacheScope === 'public' || r.cacheScope === 'private' ? r.cacheScope : method === 'server/discover' ? 'public' : 'private';
  }
  return r;
}

/** A modern answer: the result stamped; a JSON-RPC error with the HTTP status the binding gives it. */
export function modernAnswer(method: string, answer: JsonRpcResponse, info: ServerInfo): { status: number; body: JsonRpcResponse } {
  if (answer.error) {
    const code = answer.error.code;
    const status = code === JSONRPC_METHOD_NOT_FOUND ? 404 : code === HEADER_MISMATCH || code === UNSUPPORTED_PROTOCOL_VERSION ? 400 : 200;
    return { status, body: answer };
  }
  return { status: 200, body: { ...answer, result: modernResult(method, answer.result, info) } };
}

/** `server/discover`: versions, capabilities and identity (cacheable). */
export function discoverResult(capabilities: Json, info: ServerInfo): Json {
  return modernResult('server/discover', { supportedVersions: ALL_PROTOCOL_VERSIONS, capabilities }, info);
}

export type ListKind = 'tools' | 'prompts' | 'resources';
const FILTER_KEYS: Readonly<Record<ListKind, string>> = { tools: 'toolsListChanged', prompts: 'promptsListChanged', resources: 'resourcesListChanged' };

/**
 * The part of a `subscriptions/listen` filter this endpoint honours: the list-changed
 * kinds it can announce. `resourceSubscriptions` is not honoured (left out of the ack).
 */
export function honouredFilter(params: Json | undefined, available: readonly ListKind[]): { kinds: ListKind[]; ack: Json } | string {
  const filter = params?.notifications;
  if (filter !== undefined && !isObject(filter)) return "'notifications' must be an object";
  const kinds = available.filter((k) => isObject(filter) && filter[FILTER_KEYS[k]] === true);
  return { kinds, ack: Object.fromEntries(kinds.map((k) => [FILTER_KEYS[k], true])) };
}
