import type { mcpconnector, ServiceClient } from '@switchyard/proto';
import type { McpTool } from '../../domain/mcp-tools.js';
import type { ToolCatalogSource, ToolExecution, ToolExecutor } from '../../domain/ports.js';

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
export class GrpcMcpConnector implements ToolCatalogSource, ToolExecutor {
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
    const res = await this.client.callTool(
      {
        context: { requestId: execution.requestId, keyId: execution.keyId, parentRequestId: execution.parentRequestId },
        name: execution.name,
        arguments: encoder.encode(execution.arguments),
        timeoutMs: execution.timeoutMs,
      },
      { signal: execution.signal, timeoutMs: execution.timeoutMs + DEADLINE_MARGIN_MS },
    );
    return JSON.parse(decoder.decode(res.result)) as unknown;
  }
}
