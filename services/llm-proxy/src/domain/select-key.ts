import type { Random } from './ports.js';
import type { ProviderKey } from './types.js';

/** Whether `key` may serve `model` (a key with a models list serves only those). */
export function keyServes(key: ProviderKey, model: string): boolean {
  return key.models === undefined || key.models.includes(model);
}

/**
 * Weighted random choice among the keys that serve `model` and are not excluded.
 * Undefined when none is left.
 */
export function selectKey(keys: readonly ProviderKey[], model: string, exclude: ReadonlySet<string>, random: Random): ProviderKey | undefined {
  let total = 0;
  let last: ProviderKey | undefined;
  for (const k of keys) {
    if (exclude.has(k.name) || !keyServes(k, model)) continue;
    total += k.weight;
    last = k;
  }
  if (last === undefined) return undefined;
  let point = random() * total;
  for (const k of keys) {
    if (exclude.has(k.name) || !keyServes(k, model)) continue;
    point -= k.weight;
    if (point < 0) return k;
  }
  return last; // floating point rounding at the top end
}
