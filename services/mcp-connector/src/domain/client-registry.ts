import { SwitchyardError } from '@switchyard/errors';
import type { McpClientConfig } from '../config.js';
import type { ClientStatus, McpConnector } from './connector.js';
import type { ClientChangeOp, ClientChangePublisher, ClientStore, StoredClient } from './client-store.js';

/** What the API shows instead of a secret value; sent back unchanged, it keeps the stored one. */
export const REDACTED = '<redacted>';

export type ClientSource = 'api' | 'config';

export interface ClientView {
  /** Secrets replaced by REDACTED. */
  config: McpClientConfig;
  source: ClientSource;
  status: ClientStatus;
  /** Exposed names of the tools callers may use. */
  tools: string[];
  createdAt: Date | undefined;
  updatedAt: Date | undefined;
}

export interface ClientRegistryOptions {
  /** switchyard.yaml's clients: always present, read-only over the API. */
  declared: readonly McpClientConfig[];
  store: ClientStore;
  connector: McpConnector;
  publisher: ClientChangePublisher;
  /** Parses and checks a config (defaults applied); throws an `invalid_argument` SwitchyardError. */
  validate(input: unknown): McpClientConfig;
  now?: () => Date;
  onEvent?(event: string, detail: Record<string, unknown>): void;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function notFound(name: string): SwitchyardError {
  return new SwitchyardError('not_found', `no MCP client named '${name}'`, { code: 'mcp_client_not_found', param: 'name' });
}

function readOnly(name: string): SwitchyardError {
  return new SwitchyardError('permission_denied', `MCP client '${name}' is declared in switchyard.yaml and is read-only over the API: change it there`, {
    code: 'mcp_client_read_only', param: 'name',
  });
}

function redactMap(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(map).map((k) => [k, REDACTED]));
}

/** The config with every header value and stdio env value replaced by REDACTED. */
export function redact(config: McpClientConfig): McpClientConfig {
  return {
    ...config,
    headers: redactMap(config.headers),
    ...(config.stdio_config ? { stdio_config: { ...config.stdio_config, env: redactMap(config.stdio_config.env) } } : {}),
  };
}

/** Puts stored values back where the input says REDACTED; a REDACTED with nothing stored is an error. */
function restore(input: unknown, path: string, stored: Record<string, string> | undefined): unknown {
  if (!isObject(input)) return input;
  const out: Json = {};
  for (const [k, v] of Object.entries(input)) {
    if (v !== REDACTED) { out[k] = v; continue; }
    const kept = stored?.[k];
    if (kept === undefined) throw new SwitchyardError('invalid_argument', `'${path}.${k}': ${REDACTED} keeps a stored value, and there is none: send the value`, { param: `${path}.${k}` });
    out[k] = kept;
  }
  return out;
}

function withRestoredSecrets(input: Json, stored: McpClientConfig | undefined): Json {
  const out: Json = { ...input };
  if ('headers' in input) out.headers = restore(input.headers, 'headers', stored?.headers);
  if (isObject(input.stdio_config) && 'env' in input.stdio_config) {
    out.stdio_config = { ...input.stdio_config, env: restore(input.stdio_config.env, 'stdio_config.env', stored?.stdio_config?.env) };
  }
  return out;
}

/**
 * Every MCP client this replica runs: switchyard.yaml's (read-only) plus those managed
 * through the API (Postgres). Changes are committed to the store, then announced on the
 * bus; every replica, this one included, re-reads the client and reconciles its
 * connections. A periodic resync repairs anything a lost message left behind.
 */
export class ClientRegistry {
  readonly #declared: Map<string, McpClientConfig>;
  readonly #managed = new Map<string, StoredClient>();
  readonly #opts: ClientRegistryOptions;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(opts: ClientRegistryOptions) {
    this.#opts = opts;
    this.#declared = new Map(opts.declared.map((c) => [c.name, c]));
  }

  /** Reads every stored client and reconciles (start, and the periodic resync). */
  resync(): Promise<void> {
    return this.#serial(async () => {
      const stored = await this.#opts.store.list();
      this.#managed.clear();
      for (const s of stored) {
        if (this.#declared.has(s.config.name)) {
          this.#opts.onEvent?.('mcp.client.shadowed_failed', { client: s.config.name, reason: 'a stored client has the name of a switchyard.yaml client; the file wins' });
          continue;
        }
        this.#managed.set(s.config.name, s);
      }
      await this.#apply();
    });
  }

  /** A change announced on the bus: re-read that client and reconcile. */
  changed(name: string, op: ClientChangeOp): Promise<void> {
    if (op === 'reconnect') return this.#serial(() => this.#opts.connector.reconnect(name).then(() => undefined));
    return this.#serial(async () => {
      const stored = op === 'delete' ? undefined : await this.#opts.store.get(name);
      if (stored && !this.#declared.has(name)) this.#managed.set(name, stored);
      else this.#managed.delete(name);
      await this.#apply();
    });
  }

  async list(): Promise<ClientView[]> {
    const stored = await this.#opts.store.list();
    const views = [...this.#declared.values()].map((c) => this.#view(c, 'config', undefined));
    for (const s of stored) if (!this.#declared.has(s.config.name)) views.push(this.#view(s.config, 'api', s));
    return views.sort((a, b) => (a.config.name < b.config.name ? -1 : a.config.name > b.config.name ? 1 : 0));
  }

  async get(name: string): Promise<ClientView> {
    const declared = this.#declared.get(name);
    if (declared) return this.#view(declared, 'config', undefined);
    const stored = await this.#opts.store.get(name);
    if (!stored) throw notFound(name);
    return this.#view(stored.config, 'api', stored);
  }

  async create(input: unknown): Promise<ClientView> {
    if (!isObject(input)) throw new SwitchyardError('invalid_argument', 'the client config must be a JSON object');
    const config = this.#opts.validate(withRestoredSecrets(input, undefined));
    if (this.#declared.has(config.name)) {
      throw new SwitchyardError('conflict', `MCP client '${config.name}' is declared in switchyard.yaml`, { code: 'mcp_client_exists', param: 'name' });
    }
    const stored = await this.#opts.store.insert(config, this.#now());
    await this.#committed(config.name, 'upsert');
    return this.#view(stored.config, 'api', stored);
  }

  /** Merges the given top-level fields over the stored config (REDACTED secrets keep their values). */
  async update(name: string, patch: unknown): Promise<ClientView> {
    if (this.#declared.has(name)) throw readOnly(name);
    if (!isObject(patch)) throw new SwitchyardError('invalid_argument', 'the update must be a JSON object');
    if (Object.keys(patch).length === 0) throw new SwitchyardError('invalid_argument', 'nothing to update: send at least one field');
    if ('name' in patch && patch.name !== name) throw new SwitchyardError('invalid_argument', "'name': a client cannot be renamed; create a new one", { param: 'name' });
    const current = await this.#opts.store.get(name);
    if (!current) throw notFound(name);
    const config = this.#opts.validate({ ...current.config, ...withRestoredSecrets(patch, current.config) });
    const stored = await this.#opts.store.update(config, this.#now());
    if (!stored) throw notFound(name);
    await this.#committed(name, 'upsert');
    return this.#view(stored.config, 'api', stored);
  }

  async remove(name: string): Promise<void> {
    if (this.#declared.has(name)) throw readOnly(name);
    if (!(await this.#opts.store.remove(name))) throw notFound(name);
    await this.#committed(name, 'delete');
  }

  /** Closes and reopens the client's connection on every replica. */
  async reconnect(name: string): Promise<ClientView> {
    const view = await this.get(name);
    await this.#committed(name, 'reconnect');
    return { ...view, status: this.#status(name) };
  }

  /** Applies here at once (read-your-writes), then tells the other replicas. */
  async #committed(name: string, op: ClientChangeOp): Promise<void> {
    await this.changed(name, op);
    this.#opts.publisher.changed(name, op);
  }

  #apply(): Promise<void> {
    return this.#opts.connector.reconcile([...this.#declared.values(), ...[...this.#managed.values()].map((s) => s.config)]);
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #now(): Date {
    return this.#opts.now?.() ?? new Date();
  }

  #status(name: string): ClientStatus {
    return this.#opts.connector.listClients().find((c) => c.name === name) ?? { name, state: 'connecting', toolCount: 0, era: undefined, pid: undefined, lanes: 0 };
  }

  #view(config: McpClientConfig, source: ClientSource, stored: StoredClient | undefined): ClientView {
    return {
      config: redact(config),
      source,
      status: this.#status(config.name),
      tools: this.#opts.connector.listTools([config.name]).tools.map((t) => t.name),
      createdAt: stored?.createdAt,
      updatedAt: stored?.updatedAt,
    };
  }
}
