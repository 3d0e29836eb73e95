/**
 * Model prices in USD per million tokens. A price of P USD per million tokens is
 * exactly P micro-USD per token, so costs stay integers after one rounding up.
 */
export interface ModelPrice {
  /** USD per 1M prompt (input) tokens. */
  readonly input: number;
  /** USD per 1M completion (output) tokens. */
  readonly output: number;
}

/**
 * List prices of current OpenAI and Anthropic models (standard tier, no caching or
 * batch discounts), by model id without the date suffix: `claude-sonnet-4-20250514`
 * and `gpt-4o-2024-08-06` find their family by the longest matching prefix.
 * Maintained here; switchyard.yaml (`edge.pricing.models`) overrides and extends it.
 */
export const DEFAULT_MODEL_PRICES: Readonly<Record<string, ModelPrice>> = Object.freeze({
  // OpenAI
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4-turbo': { input: 10, output: 30 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  'o1': { input: 15, output: 60 },
  'o1-mini': { input: 1.1, output: 4.4 },
  'o3': { input: 2, output: 8 },
  'o3-mini': { input: 1.1, output: 4.4 },
  'o4-mini': { input: 1.1, output: 4.4 },
  // Anthropic
  'claude-opus-4-1': { input: 15, output: 75 },
  'claude-opus-4': { input: 15, output: 75 },
  'claude-sonnet-4-5': { input: 3, output: 15 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-haiku-4-5': { input: 1, output: 5 },
  'claude-3-7-sonnet': { input: 3, output: 15 },
  'claude-3-5-sonnet': { input: 3, output: 15 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
  'claude-3-opus': { input: 15, output: 75 },
  'claude-3-haiku': { input: 0.25, output: 1.25 },
});

/**
 * Looks prices up by model name: `provider/model` exactly, then the bare model
 * exactly, then the longest table entry that is a prefix of the bare model followed
 * by `-` (a dated or suffixed variant). Lookups are memoised (the set of model names
 * a gateway sees is small); unknown models are `undefined`.
 */
export class PriceTable {
  readonly #prices: ReadonlyMap<string, ModelPrice>;
  readonly #memo = new Map<string, ModelPrice | null>();

  constructor(overrides: Readonly<Record<string, ModelPrice>> = {}, defaults: Readonly<Record<string, ModelPrice>> = DEFAULT_MODEL_PRICES) {
    this.#prices = new Map(Object.entries({ ...defaults, ...overrides }));
  }

  lookup(model: string): ModelPrice | undefined {
    const memo = this.#memo.get(model);
    if (memo !== undefined) return memo ?? undefined;
    const found = this.#find(model);
    if (this.#memo.size < 10_000) this.#memo.set(model, found ?? null);
    return found;
  }

  #find(model: string): ModelPrice | undefined {
    const exact = this.#prices.get(model);
    if (exact) return exact;
    const slash = model.indexOf('/');
    const bare = slash === -1 ? model : model.slice(slash + 1);
    const direct = this.#prices.get(bare);
    if (direct) return direct;
    let best: [string, ModelPrice] | undefined;
    for (const entry of this.#prices) {
      const [name] = entry;
      if (bare.length > name.length && bare.startsWith(name) && bare.charCodeAt(name.length) === 45 /* - */) {
        if (best === undefined || name.length > best[0].length) best = entry;
      }
    }
    return best?.[1];
  }
}

/** Cost in micro-USD, rounded up: tokens × (USD per 1M) = micro-USD. */
export function tokenCostMicros(price: ModelPrice | undefined, promptTokens: number, completionTokens: number): number {
  if (price === undefined) return 0;
  return Math.ceil(promptTokens * price.input + completionTokens * price.output);
}

/** USD (as configured) to integer micro-USD. */
export function usdToMicros(usd: number): number {
  return Math.round(usd * 1_000_000);
}

export function microsToUsd(micros: number): number {
  return micros / 1_000_000;
}

export interface EstimateOptions {
  /** Output tokens assumed when the request sets neither `max_completion_tokens` nor `max_tokens`. */
  readonly defaultMaxTokens: number;
  /** Prompt tokens are estimated as ceil(body bytes / this): JSON overhead makes it an over-estimate for text. */
  readonly promptBytesPerToken: number;
}

export interface ChatEstimate {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly tokens: number;
  readonly costMicros: number;
}

/**
 * The upper estimate a chat request reserves: prompt tokens from the body size, output
 * tokens from `max_completion_tokens` ?? `max_tokens` ?? the configured default, priced
 * with the model's entry (0 when the model has none).
 */
export function estimateChat(
  request: { readonly max_tokens?: number | null; readonly max_completion_tokens?: number | null },
  bodyBytes: number,
  price: ModelPrice | undefined,
  options: EstimateOptions,
): ChatEstimate {
  const promptTokens = Math.ceil(bodyBytes / options.promptBytesPerToken);
  const completionTokens = request.max_completion_tokens ?? request.max_tokens ?? options.defaultMaxTokens;
  return { promptTokens, completionTokens, tokens: promptTokens + completionTokens, costMicros: tokenCostMicros(price, promptTokens, completionTokens) };
}
