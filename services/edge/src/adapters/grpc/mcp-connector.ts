import type { mcpconnector, ServiceClient } from '@switchyard/proto';
import type { McpTool } from '../../domain/mcp-tools.js';
import type { ForwardOutcome, McpCatalogItem, McpCatalogLists, McpForwarder, ToolCatalogSource, ToolExecution, ToolExecutor } from '../../domain/ports.js';

type McpConnectorClient = ServiceClient<typeof mcpconnector.McpConnectorService>;

/** ListTools must not hold a chat request for long when mcp-connector is away. */
const LIST_TOOLS_TIMEOUT_MS = 2_000;
/** The gRPC deadline trails the tool timeout, so mcp-connector's own timeout answers first. */
const DEADLINE_MARGIN_MS = 2_000;

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const EMPTY_SCHEMA: Readonly<Record<string, unknown>> = { type: 'object', properties: {} };

/** One wire tool to the domain's shape; undefined when its definition is unreadable. */
export function toMcpTool(tool: mcpconnector.Tool): McpTool | undefined {
  let definition: unknown;
  try {
    definition = JSON.parse(decoder.decode(tool.definition));
  } catch {
    return undefined;
  }
  if (!isObject(definition)) return undefined;
  const description = typeof definition.description === 'string' ? definition.description : undefined;
  const parameters = isObject(definition.inputSchema) ? definition.inputSchema : EMPTY_SCHEMA;
  return { name: tool.name, client: tool.client, description, parameters, autoExecute: tool.autoExecute, upstreamName: tool.upstreamName || undefined, definition, priceMicros: Number(tool.priceMicros) };
}

/** mcp-connector over gRPC: the catalog (ListTools) and tool execution (CallTool). */
export class GrpcMcpConnector implements ToolCatalogSource, ToolExecutor, McpForwarder {
  constructor(private readonly client: McpConnectorClient) {}

  async list(): Promise<{ tools: McpTool[]; version: string }> {
    const res = await this.client.listTools({}, { timeoutMs: LIST_TOOLS_TIMEOUT_MS });
    const tools: McpTool[] = [];
    for (const t of res.tools) {
      const tool = toMcpTool(t);
      if (tool) tools.push(tool);
    }
    return { tools, version: res.catalogVersion };
  }

  async call(execution: ToolExecution): Promise<unknown> {
    if (execution.stream) return this.#callStream(execution);
    const res = await this.client.callTool(
      {
        context: { requestId: execution.requestId, keyId: execution.keyId, parentRequestId: execution.parentRequestId },
        name: execution.name,
        arguments: encoder.encode(execution.arguments),
        timeoutMs: execution.timeoutMs,
        callKey: execution.callKey ?? '',
      },
      { signal: execution.signal, timeoutMs: execution.timeoutMs + DEADLINE_MARGIN_MS },
    );
    return JSON.parse(decoder.decode(res.result)) as unknown;
  }

  /** CallToolStream: progress, logs and relayed requests go to the execution's stream; resolves with the result. */
  async #callStream(execution: ToolExecution): Promise<unknown> {
    const stream = execution.stream!;
    const events = this.client.callToolStream(
      {
        context: { requestId: execution.requestId, keyId: execution.keyId, parentRequestId: execution.parentRequestId },
        name: execution.name,
        arguments: encoder.encode(execution.arguments),
        timeoutMs: execution.timeoutMs,
        progress: stream.progress,
        callKey: stream.callKey,
        meta: stream.meta ? encoder.encode(JSON.stringify(stream.meta)) : new Uint8Array(0),
        session: stream.session ?? '',
      },
      { signal: execution.signal, timeoutMs: execution.timeoutMs + DEADLINE_MARGIN_MS },
    );
    // The result is the stream's last message: read on to the status rather than return at
    // once. Leaving early cancels the call (a RST_STREAM whenever the status had not arrived
    // yet); under load those resets got the HTTP/2 connection closed with error code 2
    // every few seconds (likely the server's rapid-reset guard), failing every call in
    // flight on it: ~0.5% of tool calls at 300/s returned "internal error".
    let result: { value: unknown } | undefined;
    for await (const { event } of events) {
      switch (event.case) {
        case 'progress': stream.onProgress(parseObject(event.value)); break;
        case 'log': stream.onLog(parseObject(event.value)); break;
        case 'request': stream.onRequest(event.value.id, event.value.method, parseObject(event.value.params)); break;
        case 'result': result = { value: JSON.parse(decoder.decode(event.value)) as unknown }; break;
        default: break;
      }
    }
    if (result) return result.value;
    throw new Error('CallToolStream ended without a result');
  }

  async listCatalog(clients: readonly string[]): Promise<McpCatalogLists> {
    const res = await this.client.listCatalog({ clients: [...clients] }, { timeoutMs: LIST_TOOLS_TIMEOUT_MS });
    const items = (list: mcpconnector.CatalogItem[]): McpCatalogItem[] =>
      list.map((i) => ({ client: i.client, name: i.name, upstreamName: i.upstreamName, definition: parseObject(i.definition) }));
    return { resources: items(res.resources), resourceTemplates: items(res.resourceTemplates), prompts: items(res.prompts) };
  }

  async forward(client: string, method: string, params: Record<string, unknown>, signal: AbortSignal): Promise<ForwardOutcome> {
    const res = await this.client.forward({ client, method, params: encoder.encode(JSON.stringify(params)) }, { signal, timeoutMs: FORWARD_TIMEOUT_MS });
    if (res.outcome.case === 'result') return { result: parseObject(res.outcome.value) };
    if (res.outcome.case === 'error') {
      const e = parseObject(res.outcome.value);
      return { error: { code: typeof e.code === 'number' ? e.code : -32603, message: typeof e.message === 'string' ? e.message : 'error', ...(e.data === undefined ? {} : { data: e.data }) } };
    }
    return { error: { code: -32603, message: 'empty answer from mcp-connector' } };
  }

  async respond(id: string, outcome: ForwardOutcome): Promise<boolean> {
    const value = encoder.encode(JSON.stringify('result' in outcome ? outcome.result : outcome.error));
    const res = await this.client.respondToUpstream({ id, outcome: 'result' in outcome ? { case: 'result', value } : { case: 'error', value } }, { timeoutMs: LIST_TOOLS_TIMEOUT_MS });
    return res.delivered;
  }

  async cancel(callKey: string, reason: string): Promise<boolean> {
    return (await this.client.cancelCall({ callKey, reason }, { timeoutMs: LIST_TOOLS_TIMEOUT_MS })).cancelled;
  }
}

/** A forwarded resources/read, prompts/get or completion may wait on its upstream this long. */
const FORWARD_TIMEOUT_MS = 60_000;

function parseObject(bytes: Uint8Array): Record<string, unknown> {
  if (bytes.length === 0) return {};
  const value = JSON.parse(decoder.decode(bytes)) as unknown;
  return isObject(value) ? value : {};
}
