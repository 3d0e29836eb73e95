import { StreamableHTTPClientTransport, type Client, type Transport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CallOptions, JsonObject, ToolCallOptions, UpstreamCatalog, UpstreamSession } from '../../domain/ports.js';
import { classify } from './errors.js';
import { AnyObject, PromptsPage, ResourcesPage, ResourceTemplatesPage, ToolsPage } from './results.js';

/** Upper bound on pages per list walk: a server that never ends its cursor chain fails, not hangs. */
const MAX_PAGES = 1000;

type PageSchema = typeof ToolsPage;

/** One SDK client connection as an UpstreamSession. */
export class SdkSession implements UpstreamSession {
  closing = false;
  #closed: Promise<void> | undefined;
  #closeSettled = false;

  constructor(private readonly client: Client, private readonly transport: Transport, private readonly name: string) {}

  get era(): 'legacy' | 'modern' | undefined {
    return this.client.getProtocolEra();
  }

  get pid(): number | undefined {
    return this.transport instanceof StdioClientTransport ? (this.transport.pid ?? undefined) : undefined;
  }

  async catalog(signal: AbortSignal): Promise<UpstreamCatalog> {
    const caps = this.client.getServerCapabilities() ?? {};
    const [tools, resources, resourceTemplates, prompts] = await Promise.all([
      caps.tools ? this.#walk('tools/list', 'tools', ToolsPage, signal) : [],
      caps.resources ? this.#walk('resources/list', 'resources', ResourcesPage, signal) : [],
      caps.resources ? this.#walk('resources/templates/list', 'resourceTemplates', ResourceTemplatesPage, signal).catch(() => []) : [],
      caps.prompts ? this.#walk('prompts/list', 'prompts', PromptsPage, signal) : [],
    ]);
    return { tools, resources, resourceTemplates, prompts };
  }

  /** Follows every `nextCursor` (the SDK's own list helpers may stop at one page). */
  async #walk(method: string, key: string, schema: PageSchema, signal: AbortSignal): Promise<JsonObject[]> {
    const items: JsonObject[] = [];
    let cursor: string | undefined;
    for (let n = 0; n < MAX_PAGES; n++) {
      try {
        const page = await this.client.request({ method, params: cursor === undefined ? {} : { cursor } }, schema, { signal });
        const body = page as Record<string, unknown>;
        const list = body[key];
        if (Array.isArray(list)) items.push(...(list as JsonObject[]));
        const next = body.nextCursor;
        if (typeof next !== 'string' || next === '' || next === cursor) return items;
        cursor = next;
      } catch (err) {
        throw classify(err);
      }
    }
    throw new Error(`${this.name}: ${method} exceeded ${MAX_PAGES} pages`);
  }

  async callTool(name: string, args: JsonObject, options: ToolCallOptions): Promise<JsonObject> {
    const onProgress = options.observer?.onProgress;
    const params: JsonObject = { name, arguments: args };
    if (options.meta && Object.keys(options.meta).length > 0) params._meta = options.meta;
    try {
      // With onprogress the SDK sends its own progressToken and maps progress back to this call;
      // progress also resets the timeout, so a long call that reports progress is not cut at timeout_ms.
      return await this.client.request({ method: 'tools/call', params }, AnyObject, {
        signal: options.signal,
        timeout: options.timeoutMs,
        ...(onProgress ? { onprogress: (p: JsonObject) => onProgress(withoutToken(p)), resetTimeoutOnProgress: true } : {}),
      });
    } catch (err) {
      throw classify(err);
    }
  }

  async request(method: string, params: JsonObject, options: CallOptions): Promise<JsonObject> {
    try {
      return await this.client.request({ method, params }, AnyObject, { signal: options.signal, timeout: options.timeoutMs });
    } catch (err) {
      throw classify(err);
    }
  }

  async check(options: CallOptions): Promise<void> {
    try {
      if (this.era === 'modern') await this.client.discover({ signal: options.signal, timeout: options.timeoutMs });
      else await this.client.ping({ signal: options.signal, timeout: options.timeoutMs });
    } catch (err) {
      throw classify(err);
    }
  }

  /**
   * Idempotent, except that a stdio child spawned after a close finished (a close that
   * raced the SDK's handshake, between its probe and the real spawn) is closed too.
   */
  close(): Promise<void> {
    if (this.#closed === undefined || (this.#closeSettled && this.pid !== undefined)) {
      this.#closeSettled = false;
      this.#closed = this.#close().finally(() => { this.#closeSettled = true; });
    }
    return this.#closed;
  }

  /** Closes until no child is left (a connect that failed or was aborted calls this). */
  async closeAll(): Promise<void> {
    for (let i = 0; i < 3; i++) {
      await this.close();
      if (this.pid === undefined) return;
    }
  }

  async #close(): Promise<void> {
    this.closing = true;
    const pid = this.pid;
    // transport.close() only aborts; a legacy session is ended with DELETE so the upstream frees it.
    if (this.transport instanceof StreamableHTTPClientTransport && this.transport.sessionId !== undefined) {
      await this.transport.terminateSession().catch(() => undefined);
    }
    // The SDK waits up to 2 s for a child to exit on stdin EOF before it signals; a
    // gateway closing hundreds of sessions gives it STDIO_GRACE_MS, then SIGTERM.
    const term = pid === undefined ? undefined : setTimeout(() => { if (alive(pid)) signal(pid, 'SIGTERM'); }, STDIO_GRACE_MS);
    await this.client.close().catch(() => undefined);
    clearTimeout(term);
    if (pid !== undefined) await ensureExited(pid);
  }
}

function withoutToken(progress: JsonObject): JsonObject {
  const { progressToken: _token, ...rest } = progress;
  return rest;
}

/** How long a stdio child may take to exit after its stdin closes before it gets SIGTERM. */
const STDIO_GRACE_MS = 500;

function signal(pid: number, sig: NodeJS.Signals): void {
  try { process.kill(pid, sig); } catch { /* gone meanwhile */ }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The SDK closes stdin and signals the child; make sure it is gone, SIGKILL after a grace period. */
async function ensureExited(pid: number): Promise<void> {
  for (let i = 0; i < 40 && alive(pid); i++) await sleep(50);
  if (!alive(pid)) return;
  try { process.kill(pid, 'SIGKILL'); } catch { /* gone meanwhile */ }
  for (let i = 0; i < 20 && alive(pid); i++) await sleep(50);
}
