/**
 * NATS subjects and stream names. Every deployment (and every test run) may add a
 * prefix, so code asks these functions rather than writing subjects by hand.
 */
export const SUBJECTS = {
  /** Core NATS, fire and forget: `policy.changed.<kind>`. */
  policyChanged: (kind: string) => `policy.changed.${kind}`,
  policyChangedAll: 'policy.changed.>',
  catalogChanged: 'catalog.changed',
  /** Core NATS: an MCP client config changed in Postgres; every mcp-connector replica reconciles. */
  mcpClientsChanged: 'mcp.clients.changed',
  /** Core NATS: a legacy `/mcp` session ended (edge); mcp-connector closes its session lanes. */
  mcpSessionClosed: 'mcp.session.closed',
  /**
   * Core NATS request/reply between mcp-connector replicas: a downstream answer to a
   * relayed request, sent to the replica that issued its id (RespondToUpstreamRequest in,
   * RespondToUpstreamResponse back).
   */
  mcpRelayRespond: (replica: string) => `mcp.relay.respond.${replica}`,
  /** Core NATS: an upstream resource changed (ResourceUpdated); edge tells the sessions that subscribed to it. */
  mcpResourcesUpdated: 'mcp.resources.updated',
  /** Core NATS request/reply to every mcp-connector replica: cancel the call with this key if you run it (CancelCall messages). */
  mcpRelayCancel: 'mcp.relay.cancel',
  auditLlm: 'audit.llm',
  auditTool: 'audit.tool',
  auditAdmin: 'audit.admin',
  auditAll: 'audit.>',
  /** JetStream USAGE: settled model and tool calls (governance's usage ledger). */
  usageSettled: 'usage.settled',
} as const;

export const STREAMS = {
  audit: 'AUDIT',
  usage: 'USAGE',
} as const;
