/**
 * In-test doubles of our own internal contracts (governance, llm-proxy, telemetry),
 * served over real gRPC with implementService, so that edge's tests do not depend on
 * the other services' code. The real services are exercised by the end-to-end tests.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Bus } from '@switchyard/bus';
import { SwitchyardError } from '@switchyard/errors';
import {
  create, governance, implementService, llmproxy, startGrpcServer, SUBJECTS, telemetry, timestampFromDate, toBinary,
  type GrpcServerHandle, type HandlerContext,
} from '@switchyard/proto';

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export class FakeGovernance {
  readonly keys = new Map<string, { key: governance.VirtualKey; hash: string }>();
  lookups = 0;
  lastListRequest: governance.ListKeysRequest | undefined;
  lastUpdate: governance.UpdateKeyRequest | undefined;
  /** Simulates a slow governance (coalescing tests). */
  lookupDelayMs = 0;
  readonly budgets: governance.Budget[] = [];
  readonly rateLimits: governance.RateLimit[] = [];
  readonly usageRows: governance.UsageRow[] = [];
  lastUsageQuery: governance.QueryUsageRequest | undefined;

  constructor(private readonly bus: Bus) {}

  addKey(init: { name?: string; enabled?: boolean; allowedModels?: string[]; expiresAt?: Date }): { id: string; secret: string } {
    const secret = `sk-sy-${randomBytes(12).toString('hex')}`;
    const id = randomUUID();
    const key = create(governance.VirtualKeySchema, {
      id, name: init.name ?? 'test', enabled: init.enabled ?? true, allowedModels: init.allowedModels ?? ['*'],
      keyPrefix: secret.slice(0, 10), createdAt: timestampFromDate(new Date()), updatedAt: timestampFromDate(new Date()),
      ...(init.expiresAt ? { expiresAt: timestampFromDate(init.expiresAt) } : {}),
    });
    this.keys.set(id, { key, hash: sha256(secret) });
    this.publish(id);
    return { id, secret };
  }

  setEnabled(id: string, enabled: boolean): void {
    const entry = this.keys.get(id);
    if (!entry) throw new Error(`no key ${id}`);
    entry.key.enabled = enabled;
    this.publish(id);
  }

  publish(id: string): void {
    const hash = this.keys.get(id)?.hash ?? '';
    const event = create(governance.PolicyChangedSchema, { kind: 'key', id, keyHash: hash });
    this.bus.publish(SUBJECTS.policyChanged('key'), toBinary(governance.PolicyChangedSchema, event));
  }

  private find(id: string): governance.VirtualKey {
    const entry = this.keys.get(id);
    if (!entry) throw new SwitchyardError('not_found', `no key with id '${id}'`, { code: 'key_not_found' });
    return entry.key;
  }

  implementation(): ReturnType<typeof implementService> {
    // Customers, teams and tool groups are covered end to end against the real governance.
    const unimplemented: Record<string, () => Promise<never>> = {};
    for (const m of governance.GovernanceService.methods) {
      unimplemented[m.localName] = async () => { throw new SwitchyardError('unavailable', `${m.name} is not in the fake governance`); };
    }
    return implementService(governance.GovernanceService, {
      ...(unimplemented as unknown as Parameters<typeof implementService<typeof governance.GovernanceService>>[1]),
      lookupKey: async (req) => {
        this.lookups++;
        if (this.lookupDelayMs) await new Promise((r) => setTimeout(r, this.lookupDelayMs));
        const entry = [...this.keys.values()].find((k) => k.hash === req.keyHash);
        if (!entry) return {};
        const mine = <T extends { entityKind: string; entityId: string }>(l: T[]): T[] => l.filter((x) => x.entityKind === 'key' && x.entityId === entry.key.id);
        return { key: entry.key, budgets: mine(this.budgets), rateLimits: mine(this.rateLimits) };
      },
      getAuthState: async () => ({ keyCount: BigInt(this.keys.size) }),
      createKey: async (req) => {
        const { id, secret } = this.addKey({
          name: req.name, enabled: req.enabled, allowedModels: req.allowedModels,
          ...(req.expiresAt ? { expiresAt: new Date(Number(req.expiresAt.seconds) * 1000) } : {}),
        });
        return { key: this.find(id), secret };
      },
      listKeys: async (req) => {
        this.lastListRequest = req;
        return { keys: [...this.keys.values()].map((k) => k.key), nextCursor: req.cursor ? '' : 'next-page' };
      },
      getKey: async (req) => ({ key: this.find(req.id) }),
      updateKey: async (req) => {
        this.lastUpdate = req;
        const key = this.find(req.id);
        if (req.name !== undefined) key.name = req.name;
        if (req.enabled !== undefined) key.enabled = req.enabled;
        if (req.clearExpiresAt) key.expiresAt = undefined;
        else if (req.expiresAt) key.expiresAt = req.expiresAt;
        if (req.setAllowedModels) key.allowedModels = req.allowedModels;
        this.publish(req.id);
        return { key };
      },
      deleteKey: async (req) => {
        this.find(req.id);
        const hash = this.keys.get(req.id)?.hash ?? '';
        this.keys.delete(req.id);
        const event = create(governance.PolicyChangedSchema, { kind: 'key', id: req.id, keyHash: hash });
        this.bus.publish(SUBJECTS.policyChanged('key'), toBinary(governance.PolicyChangedSchema, event));
        return {};
      },
      ...this.limitHandlers(),
    });
  }

  /** Budgets and rate limits kept in arrays; a change publishes the key's PolicyChanged as governance does. */
  private limitHandlers() {
    const now = () => timestampFromDate(new Date());
    const match = (req: { entityKind: string; entityId: string }) => (x: { entityKind: string; entityId: string }) =>
      (req.entityKind === '' || x.entityKind === req.entityKind) && (req.entityId === '' || x.entityId === req.entityId);
    const changed = (x: { entityKind: string; entityId: string }) => { if (x.entityKind === 'key') this.publish(x.entityId); };
    const take = <T extends { id: string }>(list: T[], id: string): T => {
      const found = list.find((x) => x.id === id);
      if (!found) throw new SwitchyardError('not_found', `no such id '${id}'`);
      return found;
    };
    return {
      createBudget: async (req: governance.CreateBudgetRequest) => {
        const budget = create(governance.BudgetSchema, { id: `bud_${randomUUID()}`, entityKind: req.entityKind, entityId: req.entityId, limitMicros: req.limitMicros, period: req.period, createdAt: now(), updatedAt: now() });
        this.budgets.push(budget);
        changed(budget);
        return { budget };
      },
      listBudgets: async (req: governance.ListBudgetsRequest) => ({ budgets: this.budgets.filter(match(req)) }),
      updateBudget: async (req: governance.UpdateBudgetRequest) => {
        const budget = take(this.budgets, req.id);
        if (req.limitMicros !== undefined) budget.limitMicros = req.limitMicros;
        if (req.period !== undefined) budget.period = req.period;
        changed(budget);
        return { budget };
      },
      deleteBudget: async (req: governance.DeleteBudgetRequest) => {
        const budget = take(this.budgets, req.id);
        this.budgets.splice(this.budgets.indexOf(budget), 1);
        changed(budget);
        return {};
      },
      createRateLimit: async (req: governance.CreateRateLimitRequest) => {
        const rateLimit = create(governance.RateLimitSchema, { id: `rl_${randomUUID()}`, entityKind: req.entityKind, entityId: req.entityId, unit: req.unit, limit: req.limit, period: req.period, createdAt: now(), updatedAt: now() });
        this.rateLimits.push(rateLimit);
        changed(rateLimit);
        return { rateLimit };
      },
      listRateLimits: async (req: governance.ListRateLimitsRequest) => ({ rateLimits: this.rateLimits.filter(match(req)) }),
      updateRateLimit: async (req: governance.UpdateRateLimitRequest) => {
        const rateLimit = take(this.rateLimits, req.id);
        if (req.limit !== undefined) rateLimit.limit = req.limit;
        if (req.period !== undefined) rateLimit.period = req.period;
        changed(rateLimit);
        return { rateLimit };
      },
      deleteRateLimit: async (req: governance.DeleteRateLimitRequest) => {
        const rateLimit = take(this.rateLimits, req.id);
        this.rateLimits.splice(this.rateLimits.indexOf(rateLimit), 1);
        changed(rateLimit);
        return {};
      },
      getBudgetSpend: async (req: governance.GetBudgetSpendRequest) => ({ spentMicros: req.windows.map(() => 0n) }),
      queryUsage: async (req: governance.QueryUsageRequest) => {
        this.lastUsageQuery = req;
        return { rows: this.usageRows.filter(match(req)) };
      },
    };
  }
}

const enc = new TextEncoder();
const json = (v: unknown): Uint8Array => enc.encode(JSON.stringify(v));

interface ChatBody {
  model: string;
  messages: { role: string; content?: string }[];
  stream_options?: { include_usage?: boolean };
}

function waitForAbort(ctx: HandlerContext): Promise<void> {
  return new Promise((resolve) => {
    if (ctx.signal.aborted) resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

function chunk(model: string, delta: Record<string, unknown>, finish: string | null = null): Uint8Array {
  return json({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1700000000, model, choices: [{ index: 0, delta, finish_reason: finish }] });
}

const USAGE = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 };
const OUTCOME_USAGE = { promptTokens: 11n, completionTokens: 7n, totalTokens: 18n };

/**
 * llm-proxy double. Model names drive behaviour: `fail/rate-limited`, `fail/internal`,
 * `fail/before-first`, `fail/mid-stream`, `slow/any` (waits for cancellation), `delay/<ms>`.
 */
export class FakeLlmProxy {
  readonly calls: { requestId: string; keyId: string; body: Uint8Array; timeoutMs: number; traceparent: string | undefined }[] = [];
  cancelled = 0;

  private record(req: { context?: { requestId: string; keyId: string } | undefined; body: Uint8Array; timeoutMs: number }, ctx: HandlerContext): ChatBody {
    const tp = ctx.metadata.get('traceparent')[0];
    this.calls.push({ requestId: req.context?.requestId ?? '', keyId: req.context?.keyId ?? '', body: req.body, timeoutMs: req.timeoutMs, traceparent: typeof tp === 'string' ? tp : undefined });
    return JSON.parse(new TextDecoder().decode(req.body)) as ChatBody;
  }

  private async failures(model: string, ctx: HandlerContext): Promise<void> {
    if (model === 'fail/rate-limited') throw new SwitchyardError('rate_limited', 'provider rate limit reached', { retryAfterSeconds: 7 });
    if (model === 'fail/internal') throw new Error('secret internal detail');
    if (model === 'fail/before-first') throw new SwitchyardError('upstream_error', 'provider answered 500');
    if (model.startsWith('delay/')) await new Promise((r) => setTimeout(r, Number(model.slice(6))));
    if (model.startsWith('slow/')) {
      await waitForAbort(ctx);
      this.cancelled++;
      throw new SwitchyardError('cancelled', 'cancelled');
    }
  }

  implementation(): ReturnType<typeof implementService> {
    const self = this;
    return implementService(llmproxy.LlmProxyService, {
      createChatCompletion: async (req, ctx) => {
        const body = self.record(req, ctx);
        await self.failures(body.model, ctx);
        const last = body.messages[body.messages.length - 1]?.content ?? '';
        return {
          body: json({
            id: 'chatcmpl-fake', object: 'chat.completion', created: 1700000000, model: body.model,
            choices: [{ index: 0, message: { role: 'assistant', content: `echo: ${last}` }, finish_reason: 'stop' }],
            usage: USAGE,
          }),
          outcome: { provider: body.model.split('/')[0] ?? '', model: body.model, attempts: 1, usage: OUTCOME_USAGE },
        };
      },
      streamChatCompletion: async function* (req, ctx) {
        const body = self.record(req, ctx);
        if (body.model === 'slow/stream') {
          yield { event: { case: 'chunk', value: chunk(body.model, { role: 'assistant', content: '' }) } };
          await waitForAbort(ctx);
          self.cancelled++;
          return;
        }
        await self.failures(body.model, ctx);
        yield { event: { case: 'chunk', value: chunk(body.model, { role: 'assistant', content: '' }) } };
        yield { event: { case: 'chunk', value: chunk(body.model, { content: 'Hel' }) } };
        if (body.model === 'fail/mid-stream') throw new SwitchyardError('upstream_error', 'provider stream broke');
        yield { event: { case: 'chunk', value: chunk(body.model, { content: 'lo' }) } };
        yield { event: { case: 'chunk', value: chunk(body.model, {}, 'stop') } };
        if (body.stream_options?.include_usage) {
          yield { event: { case: 'chunk', value: json({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1700000000, model: body.model, choices: [], usage: USAGE }) } };
        }
        yield { event: { case: 'outcome', value: { provider: body.model.split('/')[0] ?? '', model: body.model, attempts: 2, usage: OUTCOME_USAGE } } };
      },
      listModels: async () => ({
        body: json({ object: 'list', data: ['openai/gpt-4o-mini', 'openai/gpt-4o', 'anthropic/claude-3-5-haiku'].map((id) => ({ id, object: 'model', created: 0, owned_by: id.split('/')[0] })) }),
      }),
    });
  }
}

export class FakeTelemetry {
  lastRequest: telemetry.ListAuditEventsRequest | undefined;

  implementation(): ReturnType<typeof implementService> {
    return implementService(telemetry.TelemetryService, {
      listAuditEvents: async (req) => {
        this.lastRequest = req;
        return {
          events: [{
            eventId: 'evt-1', kind: 'llm', time: timestampFromDate(new Date('2030-01-02T03:04:05.000Z')), requestId: 'req-1', keyId: 'key-1',
            model: 'openai/gpt-4o', provider: 'openai', status: 200, latencyMs: 12.5, promptTokens: 3n, completionTokens: 4n, stream: true,
            attempts: 1, route: '/v1/chat/completions', traceId: 'abc',
          }],
          nextCursor: 'cursor-2',
        };
      },
    });
  }
}

export interface FakeServers {
  governance: FakeGovernance;
  llm: FakeLlmProxy;
  telemetry: FakeTelemetry;
  handles: { governance: GrpcServerHandle; llm: GrpcServerHandle; telemetry: GrpcServerHandle };
  addrs: { governance_addr: string; llm_proxy_addr: string; telemetry_addr: string };
  close(): Promise<void>;
}

export async function startFakes(bus: Bus): Promise<FakeServers> {
  const gov = new FakeGovernance(bus);
  const llm = new FakeLlmProxy();
  const tel = new FakeTelemetry();
  const handles = {
    governance: await startGrpcServer([{ service: governance.GovernanceService, implementation: gov.implementation() }], '127.0.0.1', 0),
    llm: await startGrpcServer([{ service: llmproxy.LlmProxyService, implementation: llm.implementation() }], '127.0.0.1', 0),
    telemetry: await startGrpcServer([{ service: telemetry.TelemetryService, implementation: tel.implementation() }], '127.0.0.1', 0),
  };
  return {
    governance: gov, llm, telemetry: tel, handles,
    addrs: {
      governance_addr: `127.0.0.1:${handles.governance.port}`,
      llm_proxy_addr: `127.0.0.1:${handles.llm.port}`,
      telemetry_addr: `127.0.0.1:${handles.telemetry.port}`,
    },
    close: async () => {
      await Promise.all(Object.values(handles).map((h) => h.shutdown(500)));
    },
  };
}
