import type { McpTool } from './mcp-tools.js';
import type { ToolCatalogSource } from './ports.js';

export interface ToolCatalogOptions {
  /** How long a fetched catalog is served before it is fetched again (in the background). */
  ttlMs: number;
  /** After a failed fetch, how long the last known catalog is served before trying again. */
  retryMs: number;
  /** Called on every failed fetch; `first` is true when the previous fetch succeeded (log once). */
  onError?: (err: unknown, first: boolean) => void;
  /** Called when a fetch succeeds after failures. */
  onRecovered?: () => void;
  now?: () => number;
}

/**
 * The MCP tool catalog as the chat path reads it. `tools()` answers synchronously
 * while the catalog is fresh (the hot path pays no promise); once it expires the
 * stale catalog is served while one shared fetch runs. Only requests that arrive
 * before the first fetch has settled wait for it, whether it succeeds or fails. Never rejects: a failing source
 * leaves the last known catalog (empty at first) in place.
 */
export class ToolCatalogCache {
  #tools: readonly McpTool[] = [];
  /** `#tools` by exposed name: a tool call looks its tool up without a scan. */
  #byName: ReadonlyMap<string, McpTool> = new Map();
  #version = '';
  #expiresAt = 0;
  /** The first fetch settled (either way): from then on no request waits for a fetch. */
  #settled = false;
  #failing = false;
  #generation = 0;
  #inflight: Promise<readonly McpTool[]> | undefined;
  readonly #now: () => number;

  constructor(private readonly source: ToolCatalogSource, private readonly options: ToolCatalogOptions) {
    this.#now = options.now ?? (() => performance.now());
  }

  get version(): string {
    return this.#version;
  }

  /** The MCP client serving an exposed tool name, from the catalog at hand ('' when unknown). */
  clientOf(name: string): string {
    return this.#byName.get(name)?.client ?? '';
  }

  /** An exposed tool by name, from the catalog at hand (no fetch, no scan). */
  byName(name: string): McpTool | undefined {
    return this.#byName.get(name);
  }

  /** An exposed tool's price per call in micro-USD, from the catalog at hand (0 when unknown or free). */
  priceOf(name: string): number {
    return this.#byName.get(name)?.priceMicros ?? 0;
  }

  tools(): readonly McpTool[] | Promise<readonly McpTool[]> {
    if (this.#now() < this.#expiresAt) return this.#tools;
    if (!this.#settled) return this.refresh();
    void this.refresh();
    return this.#tools;
  }

  /** The catalog changed upstream: fetch it again now. */
  invalidate(): void {
    this.#generation++;
    this.#expiresAt = 0;
    void this.refresh();
  }

  refresh(): Promise<readonly McpTool[]> {
    if (this.#inflight) return this.#inflight;
    const generation = this.#generation;
    const inflight = this.source.list().then(
      (catalog) => {
        this.#tools = catalog.tools;
        this.#byName = indexByName(catalog.tools);
        this.#version = catalog.version;
        this.#settled = true;
        if (generation === this.#generation) this.#expiresAt = this.#now() + this.options.ttlMs;
        if (this.#failing) this.options.onRecovered?.();
        this.#failing = false;
        return this.#tools;
      },
      (err: unknown) => {
        this.options.onError?.(err, !this.#failing);
        this.#failing = true;
        // A connector that is down (or not deployed) must not stall chats again and again.
        this.#settled = true;
        if (generation === this.#generation) this.#expiresAt = this.#now() + this.options.retryMs;
        return this.#tools;
      },
    );
    this.#inflight = inflight.finally(() => {
      this.#inflight = undefined;
      // Invalidated while this fetch ran: its answer may predate the change.
      if (generation !== this.#generation) void this.refresh();
    });
    return this.#inflight;
  }
}

function indexByName(tools: readonly McpTool[]): ReadonlyMap<string, McpTool> {
  const map = new Map<string, McpTool>();
  // The first of a (never expected) duplicate wins, as `find` did.
  for (const t of tools) if (!map.has(t.name)) map.set(t.name, t);
  return map;
}
