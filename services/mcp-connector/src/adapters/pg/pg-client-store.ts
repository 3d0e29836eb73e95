import { SwitchyardError } from '@switchyard/errors';
import type { Kysely } from '@switchyard/db';
import type { McpClientConfig } from '../../config.js';
import type { ClientStore, StoredClient } from '../../domain/client-store.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { McpConnectorTables } from './schema.js';

type Row = { name: string; config: Record<string, unknown>; created_at: Date; updated_at: Date };
type Seal = (value: string, context: string) => string;

const UNIQUE_VIOLATION = '23505';

function sealMap(map: Record<string, string>, seal: Seal, context: string): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, seal(v, `${context}\0${k}`)]));
}

/** The config as stored: header values and stdio env values sealed, bound to client and field. */
function mapSecrets(config: McpClientConfig, seal: Seal): McpClientConfig {
  const ctx = `mcp_clients\0${config.name}`;
  return {
    ...config,
    headers: sealMap(config.headers, seal, `${ctx}\0headers`),
    ...(config.stdio_config ? { stdio_config: { ...config.stdio_config, env: sealMap(config.stdio_config.env, seal, `${ctx}\0env`) } } : {}),
  };
}

function hasSecrets(config: McpClientConfig): boolean {
  return Object.keys(config.headers).length > 0 || Object.keys(config.stdio_config?.env ?? {}).length > 0;
}

/** ClientStore on Postgres (or PGlite): secrets encrypted with AES-256-GCM before they reach the table. */
export class PgClientStore implements ClientStore {
  constructor(
    private readonly db: Kysely<McpConnectorTables>,
    private readonly box: SecretBox | undefined,
    /** A row that cannot be decrypted (another key, tampered) is skipped and reported here. */
    private readonly onUnreadable: (name: string, err: unknown) => void = () => undefined,
  ) {}

  async list(): Promise<StoredClient[]> {
    const rows = await this.db.selectFrom('mcp_clients').selectAll().orderBy('name').execute();
    const out: StoredClient[] = [];
    for (const r of rows) {
      try {
        out.push(this.#stored(r));
      } catch (err) {
        this.onUnreadable(r.name, err);
      }
    }
    return out;
  }

  async get(name: string): Promise<StoredClient | undefined> {
    const row = await this.db.selectFrom('mcp_clients').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? this.#stored(row) : undefined;
  }

  async insert(config: McpClientConfig, now: Date): Promise<StoredClient> {
    const json = JSON.stringify(this.#seal(config));
    try {
      await this.db.insertInto('mcp_clients').values({ name: config.name, config: json, created_at: now, updated_at: now }).execute();
    } catch (err) {
      if ((err as { code?: unknown }).code === UNIQUE_VIOLATION) {
        throw new SwitchyardError('conflict', `an MCP client named '${config.name}' exists`, { code: 'mcp_client_exists', param: 'name' });
      }
      throw err;
    }
    return { config, createdAt: now, updatedAt: now };
  }

  async update(config: McpClientConfig, now: Date): Promise<StoredClient | undefined> {
    const row = await this.db
      .updateTable('mcp_clients')
      .set({ config: JSON.stringify(this.#seal(config)), updated_at: now })
      .where('name', '=', config.name)
      .returning(['created_at'])
      .executeTakeFirst();
    return row ? { config, createdAt: row.created_at, updatedAt: now } : undefined;
  }

  async remove(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom('mcp_clients').where('name', '=', name).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  #seal(config: McpClientConfig): McpClientConfig {
    const box = this.box;
    if (box === undefined) {
      if (!hasSecrets(config)) return config;
      throw new SwitchyardError('unavailable', 'headers and stdio env values are stored encrypted, and no encryption key is configured: set SWITCHYARD_ENCRYPTION_KEY', {
        code: 'encryption_key_missing',
      });
    }
    return mapSecrets(config, (v, ctx) => box.encrypt(v, ctx));
  }

  #stored(row: Row): StoredClient {
    const raw = row.config as unknown as McpClientConfig;
    const box = this.box;
    const config = hasSecrets(raw)
      ? mapSecrets(raw, (v, ctx) => {
          if (box === undefined) throw new Error(`MCP client ${row.name} has encrypted secrets and no encryption key is configured`);
          return box.decrypt(v, ctx);
        })
      : raw;
    return { config, createdAt: row.created_at, updatedAt: row.updated_at };
  }
}
