/** One MCP client as the admin API shows it (mcp-connector's view; secrets already redacted). */
export interface McpClientView {
  name: string;
  /** The config with Bifrost's field names; header and stdio env values are `<redacted>`. */
  config: Record<string, unknown>;
  /** `api`: managed here; `config`: from switchyard.yaml, read-only. */
  source: string;
  state: string;
  toolCount: number;
  tools: string[];
  protocolEra: string | undefined;
  createdAt: Date | null;
  updatedAt: Date | null;
}

/** MCP client administration (mcp-connector owns the configs). */
export interface McpClientAdmin {
  list(): Promise<McpClientView[]>;
  get(name: string): Promise<McpClientView>;
  create(config: Record<string, unknown>): Promise<McpClientView>;
  update(name: string, patch: Record<string, unknown>): Promise<McpClientView>;
  remove(name: string): Promise<void>;
  reconnect(name: string): Promise<McpClientView>;
}
