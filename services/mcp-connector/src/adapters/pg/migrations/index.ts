import type { Migration } from '@switchyard/db';
import { mcpClients } from './0001-mcp-clients.js';

/** mcp-connector migrations, applied in name order; never edit one that has shipped. */
export const migrations: Record<string, Migration> = {
  '0001_mcp_clients': mcpClients,
};
