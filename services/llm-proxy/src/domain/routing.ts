import { SwitchyardError } from '@switchyard/errors';
import type { CallInfo, ChatRequest, JsonObject, Provider, Target } from './types.js';

/** One configured fallback rule: requests whose `provider/model` matches go on to `targets`. */
export interface FallbackRule {
  pattern: string;
  targets: readonly string[];
}

export interface RoutingTable {
  providers: ReadonlyMap<string, Provider>;
  fallbacks: readonly FallbackRule[];
}

/**
 * `provider/model` → a target. The provider is everything before the first slash, so
 * model names with slashes (`together/meta-llama/Llama-3`) work. A bare model resolves
 * only when exactly one provider is configured.
 */
export function resolveTarget(model: string, providers: ReadonlyMap<string, Provider>, param = 'model'): Target {
  const slash = model.indexOf('/');
  if (slash === -1) {
    if (providers.size === 1) {
      const only = providers.values().next().value;
      if (only && model.length > 0) return { provider: only, model };
    }
    const known = [...providers.keys()].join(', ') || 'none configured';
    throw new SwitchyardError('invalid_argument', `model "${model}" must be provider/model (providers: ${known})`, { param, code: 'model_not_found' });
  }
  const id = model.slice(0, slash);
  const name = model.slice(slash + 1);
  const provider = providers.get(id);
  if (!provider) throw new SwitchyardError('invalid_argument', `unknown provider "${id}" in "${model}"`, { param, code: 'model_not_found' });
  if (name.length === 0) throw new SwitchyardError('invalid_argument', `model "${model}" names no model`, { param, code: 'model_not_found' });
  return { provider, model: name };
}

function globMatch(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  const parts = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`).test(value);
}

/** The configured fallbacks for a target: an exact `provider/model` rule first, else the first matching pattern. */
export function configFallbacks(target: Target, rules: readonly FallbackRule[]): readonly string[] {
  const full = `${target.provider.id}/${target.model}`;
  const exact = rules.find((r) => r.pattern === full);
  if (exact) return exact.targets;
  const rule = rules.find((r) => (r.pattern.includes('/') ? globMatch(r.pattern, full) : globMatch(r.pattern, target.model)));
  return rule?.targets ?? [];
}

function bodyFallbacks(value: unknown): readonly string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string' && v.length > 0)) {
    throw new SwitchyardError('invalid_argument', 'fallbacks must be an array of "provider/model" strings', { param: 'fallbacks' });
  }
  return value;
}

/** The primary target, then the body's fallbacks, then the configured ones; duplicates dropped. */
export function planTargets(primary: Target, requested: unknown, table: RoutingTable): Target[] {
  const targets: Target[] = [primary];
  const seen = new Set([`${primary.provider.id}/${primary.model}`]);
  const add = (name: string, param: string): void => {
    const target = resolveTarget(name, table.providers, param);
    const key = `${target.provider.id}/${target.model}`;
    if (seen.has(key)) return;
    seen.add(key);
    targets.push(target);
  };
  for (const name of bodyFallbacks(requested)) add(name, 'fallbacks');
  for (const name of configFallbacks(primary, table.fallbacks)) add(name, 'fallbacks');
  return targets;
}

export interface PlanInput {
  call: CallInfo;
  body: JsonObject;
  stream: boolean;
  timeoutMs: number;
}

/** Validates the fields routing reads and builds the request; the rest of the body is the provider's business. */
export function planRequest(input: PlanInput, table: RoutingTable): ChatRequest {
  const { fallbacks, ...body } = input.body;
  const model = body.model;
  if (typeof model !== 'string' || model.length === 0) {
    throw new SwitchyardError('invalid_argument', 'model is required', { param: 'model' });
  }
  if (!Array.isArray(body.messages)) {
    throw new SwitchyardError('invalid_argument', 'messages must be an array', { param: 'messages' });
  }
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
    throw new SwitchyardError('invalid_argument', 'stream must be a boolean', { param: 'stream' });
  }
  if (!input.stream && body.stream === true) {
    throw new SwitchyardError('invalid_argument', 'stream=true requests go through StreamChatCompletion', { param: 'stream' });
  }
  const options = body.stream_options;
  const includeUsage = typeof options === 'object' && options !== null && (options as JsonObject).include_usage === true;
  const primary = resolveTarget(model, table.providers);
  return {
    call: input.call,
    body,
    model,
    stream: input.stream,
    includeUsage: input.stream && includeUsage,
    targets: planTargets(primary, fallbacks, table),
    timeoutMs: input.timeoutMs,
  };
}
