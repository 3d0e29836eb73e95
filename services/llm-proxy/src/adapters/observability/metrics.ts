import { counter, histogram, type Registry } from '@switchyard/obs';
import type { RouterEvents } from '../../domain/ports.js';
import type { Usage } from '../../domain/types.js';

const MAX_MODEL_LABELS = 200;

/** The metrics llm-proxy exports. Labels are bounded: provider ids come from config, models are capped. */
export interface LlmMetrics {
  events: RouterEvents;
  request(labels: { provider: string; model: string; status: string }): void;
  tokens(labels: { provider: string; model: string }, usage: Usage): void;
}

export function createLlmMetrics(registry: Registry): LlmMetrics {
  const requests = counter(registry, 'switchyard_llm_requests_total', 'Chat completion requests by serving provider, model and status (ok or error kind).', ['provider', 'model', 'status']);
  const upstream = histogram(registry, 'switchyard_llm_upstream_seconds', 'Upstream attempt duration (streams: until the first chunk).', ['provider', 'outcome']);
  const retries = counter(registry, 'switchyard_llm_retries_total', 'Upstream retries by reason.', ['provider', 'reason']);
  const fallbacks = counter(registry, 'switchyard_llm_fallbacks_total', 'Moves to the next fallback target.', ['from_provider', 'to_provider']);
  const tokens = counter(registry, 'switchyard_llm_tokens_total', 'Tokens reported by providers.', ['provider', 'model', 'type']);
  const models = new Set<string>();
  const model = (name: string): string => {
    if (models.has(name)) return name;
    if (models.size >= MAX_MODEL_LABELS) return 'other';
    models.add(name);
    return name;
  };
  const provider = (id: string): string => id || 'none';
  return {
    events: {
      attempt: (e) => upstream.observe({ provider: e.provider, outcome: e.ok ? 'ok' : 'error' }, e.seconds),
      retry: (e) => retries.inc({ provider: e.provider, reason: e.reason }),
      fallback: (e) => fallbacks.inc({ from_provider: e.from, to_provider: e.to }),
    },
    request: (l) => requests.inc({ provider: provider(l.provider), model: model(l.model), status: l.status }),
    tokens: (l, usage) => {
      const labels = { provider: provider(l.provider), model: model(l.model) };
      if (usage.promptTokens > 0) tokens.inc({ ...labels, type: 'prompt' }, usage.promptTokens);
      if (usage.completionTokens > 0) tokens.inc({ ...labels, type: 'completion' }, usage.completionTokens);
    },
  };
}
