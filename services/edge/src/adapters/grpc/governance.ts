import { timestampDate, timestampFromDate, type governance, type ServiceClient } from '@switchyard/proto';
import { compileModelPatterns } from '@switchyard/config';
import { UNRESTRICTED_SCOPE, type ToolScope } from '@switchyard/limits';
import type { KeyAdmin, KeyDirectory } from '../../domain/ports.js';
import type { KeyPatch, KeyPolicy, KeyView, NewKey, Page, ToolAllowListView } from '../../domain/types.js';
import { SwitchyardError } from '@switchyard/errors';
import type { EntityKind, LedgerSource, Limits, Period } from '@switchyard/limits';

/** The usage ledger's spend per budget window (counter rebuilds after a Redis loss). */
export class GrpcLedgerSource implements LedgerSource {
  constructor(private readonly client: GovernanceClient) {}

  async spent(windows: readonly { budgetId: string; windowStartMs: number }[]): Promise<number[]> {
    const res = await this.client.getBudgetSpend({ windows: windows.map((w) => ({ budgetId: w.budgetId, windowStartMs: BigInt(w.windowStartMs) })) }, { timeoutMs: LOOKUP_TIMEOUT_MS });
    return res.spentMicros.map(Number);
  }
}

type GovernanceClient = ServiceClient<typeof governance.GovernanceService>;

/** Lookups on the hot path's miss: short deadline, the cache fails closed. */
const LOOKUP_TIMEOUT_MS = 2_000;
const ADMIN_TIMEOUT_MS = 10_000;

export function fromWireScope(scope: governance.ToolScope | undefined): ToolScope {
  if (scope === undefined || scope.unrestricted) return UNRESTRICTED_SCOPE;
  const tools = new Map<string, readonly string[]>();
  for (const [client, names] of Object.entries(scope.clients)) tools.set(client, names.tools);
  return { unrestricted: false, tools };
}

function fromWireAllowList(list: governance.McpToolAllowList | undefined): ToolAllowListView | null {
  if (list === undefined) return null;
  const out: ToolAllowListView = {};
  for (const [client, names] of Object.entries(list.clients)) out[client] = [...names.tools];
  return out;
}

function toWireAllowList(list: ToolAllowListView): { clients: Record<string, { tools: string[] }> } {
  const clients: Record<string, { tools: string[] }> = {};
  for (const [client, tools] of Object.entries(list)) clients[client] = { tools };
  return { clients };
}

export function toLimits(budgets: readonly governance.Budget[], rateLimits: readonly governance.RateLimit[]): Limits {
  return {
    budgets: budgets.map((b) => ({ id: b.id, entityKind: b.entityKind as EntityKind, entityId: b.entityId, limitMicros: Number(b.limitMicros), period: b.period as Period })),
    rateLimits: rateLimits.map((r) => ({
      id: r.id, entityKind: r.entityKind as EntityKind, entityId: r.entityId, unit: r.unit === 'tokens' ? 'tokens' : 'requests', limit: Number(r.limit), period: r.period as Period,
    })),
  };
}

const NO_LIMITS: Limits = Object.freeze({ budgets: Object.freeze([]), rateLimits: Object.freeze([]) }) as Limits;

/**
 * A key, its resolved policy and its limits, compiled once when it enters the cache. A
 * governance that sends no policy (older than tool scopes) leaves every provider and tool
 * open, as its keys were before.
 */
export function toKeyPolicy(
  key: governance.VirtualKey,
  policy?: governance.ResolvedPolicy,
  budgets: readonly governance.Budget[] = [],
  rateLimits: readonly governance.RateLimit[] = [],
): KeyPolicy {
  const allowedProviders = policy ? policy.allowedProviders : ['*'];
  return {
    limits: budgets.length === 0 && rateLimits.length === 0 ? NO_LIMITS : toLimits(budgets, rateLimits),
    keyId: key.id,
    enabled: key.enabled,
    expiresAtMs: key.expiresAt ? timestampDate(key.expiresAt).getTime() : Number.POSITIVE_INFINITY,
    allowedModels: key.allowedModels,
    models: compileModelPatterns(key.allowedModels),
    teamId: policy?.teamId ?? key.teamId,
    customerId: policy?.customerId ?? key.customerId,
    allowedProviders,
    providers: compileModelPatterns(allowedProviders),
    toolScope: fromWireScope(policy?.toolScope),
    groupSlugs: policy?.groupSlugs ?? [],
  };
}

export function toKeyView(key: governance.VirtualKey): KeyView {
  return {
    id: key.id,
    name: key.name,
    enabled: key.enabled,
    expiresAt: key.expiresAt ? timestampDate(key.expiresAt) : null,
    allowedModels: [...key.allowedModels],
    keyPrefix: key.keyPrefix,
    createdAt: key.createdAt ? timestampDate(key.createdAt) : null,
    updatedAt: key.updatedAt ? timestampDate(key.updatedAt) : null,
    teamId: key.teamId || null,
    customerId: key.customerId || null,
    allowedProviders: [...key.allowedProviders],
    mcpTools: fromWireAllowList(key.mcpTools),
    toolGroups: [...key.toolGroups],
  };
}

function required(key: governance.VirtualKey | undefined, id: string): governance.VirtualKey {
  if (key === undefined) throw new SwitchyardError('not_found', `no key with id '${id}'`, { code: 'key_not_found', param: 'id' });
  return key;
}

/** KeyDirectory over governance's gRPC API. */
export class GrpcKeyDirectory implements KeyDirectory {
  constructor(private readonly client: GovernanceClient) {}

  async lookup(keyHash: string): Promise<KeyPolicy | null> {
    const res = await this.client.lookupKey({ keyHash }, { timeoutMs: LOOKUP_TIMEOUT_MS });
    return res.key ? toKeyPolicy(res.key, res.policy, res.budgets, res.rateLimits) : null;
  }

  async keyCount(): Promise<number> {
    const res = await this.client.getAuthState({}, { timeoutMs: LOOKUP_TIMEOUT_MS });
    return Number(res.keyCount);
  }
}

/** Key administration over governance's gRPC API. */
export class GrpcKeyAdmin implements KeyAdmin {
  constructor(private readonly client: GovernanceClient) {}

  async create(input: NewKey): Promise<{ key: KeyView; secret: string }> {
    const res = await this.client.createKey(
      {
        name: input.name,
        enabled: input.enabled,
        allowedModels: input.allowedModels,
        ...(input.expiresAt ? { expiresAt: timestampFromDate(input.expiresAt) } : {}),
        teamId: input.teamId ?? '',
        customerId: input.customerId ?? '',
        ...(input.allowedProviders !== undefined ? { allowedProviders: { patterns: input.allowedProviders } } : {}),
        ...(input.mcpTools ? { mcpTools: toWireAllowList(input.mcpTools) } : {}),
      },
      { timeoutMs: ADMIN_TIMEOUT_MS },
    );
    if (!res.key || !res.secret) throw new SwitchyardError('internal', 'governance returned no key');
    return { key: toKeyView(res.key), secret: res.secret };
  }

  async list(limit: number | undefined, cursor: string | undefined): Promise<Page<KeyView>> {
    const res = await this.client.listKeys({ limit: limit ?? 0, cursor: cursor ?? '' }, { timeoutMs: ADMIN_TIMEOUT_MS });
    return { items: res.keys.map(toKeyView), nextCursor: res.nextCursor };
  }

  async get(id: string): Promise<KeyView> {
    const res = await this.client.getKey({ id }, { timeoutMs: ADMIN_TIMEOUT_MS });
    return toKeyView(required(res.key, id));
  }

  async update(id: string, patch: KeyPatch): Promise<KeyView> {
    const res = await this.client.updateKey(
      {
        id,
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
        ...(patch.expiresAt ? { expiresAt: timestampFromDate(patch.expiresAt) } : {}),
        clearExpiresAt: patch.expiresAt === null,
        allowedModels: patch.allowedModels ?? [],
        setAllowedModels: patch.allowedModels !== undefined,
        ...(patch.teamId !== undefined ? { teamId: patch.teamId ?? '' } : {}),
        ...(patch.customerId !== undefined ? { customerId: patch.customerId ?? '' } : {}),
        ...(patch.allowedProviders !== undefined ? { allowedProviders: { patterns: patch.allowedProviders } } : {}),
        ...(patch.mcpTools ? { mcpTools: toWireAllowList(patch.mcpTools) } : {}),
        clearMcpTools: patch.mcpTools === null,
      },
      { timeoutMs: ADMIN_TIMEOUT_MS },
    );
    return toKeyView(required(res.key, id));
  }

  async remove(id: string): Promise<void> {
    await this.client.deleteKey({ id }, { timeoutMs: ADMIN_TIMEOUT_MS });
  }
}
