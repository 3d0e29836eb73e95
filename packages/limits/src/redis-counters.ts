import type { Redis } from 'ioredis';
import { SETTLE_MARGIN_MS, type Adjustment, type CounterDriver, type CounterEntry, type DriverReserve } from './counters.js';

/**
 * Reserve, in one script run (atomic in Redis): read every counter (a hash
 * `{v: value, g: generation}`); report budget counters that are missing and have no
 * seed (nothing changes then); create the other missing counters (from their seed, or
 * 0) with this call's generation and a TTL past their window's end; check every counter
 * in order (the first that does not fit is the answer); then add the amounts. Values pass as strings, so no Lua number is formatted.
 *
 * KEYS: the counters. ARGV[1]: generation; then per counter: kind (b|r|t), limit,
 * amount, ttl ms, seed ('' for none).
 * Returns {1, gen...} | {2, missing index...} | {3, index, current}.
 */
export const RESERVE_SCRIPT = `
local gen = ARGV[1]
local n = #KEYS
local cur = {}
local gens = {}
local missing = {}
for i = 1, n do
  local a = 1 + (i - 1) * 5
  local got = redis.call('HMGET', KEYS[i], 'v', 'g')
  if got[1] then
    cur[i] = tonumber(got[1])
    gens[i] = got[2]
  else
    local seed = ARGV[a + 5]
    if ARGV[a + 1] == 'b' and seed == '' then
      missing[#missing + 1] = i - 1
    else
      if seed == '' then seed = '0' end
      -- Created now, before the checks: a rebuilt budget keeps its seed even when this request is refused.
      redis.call('HSET', KEYS[i], 'v', seed, 'g', gen)
      redis.call('PEXPIRE', KEYS[i], ARGV[a + 4])
      cur[i] = tonumber(seed)
      gens[i] = gen
    end
  end
end
if #missing > 0 then
  table.insert(missing, 1, 2)
  return missing
end
for i = 1, n do
  local a = 1 + (i - 1) * 5
  local limit = tonumber(ARGV[a + 2])
  local amount = tonumber(ARGV[a + 3])
  if cur[i] >= limit or cur[i] + amount > limit then
    return {3, i - 1, tostring(cur[i])}
  end
end
local out = {1}
for i = 1, n do
  local a = 1 + (i - 1) * 5
  if ARGV[a + 3] ~= '0' then redis.call('HINCRBY', KEYS[i], 'v', ARGV[a + 3]) end
  out[i + 1] = gens[i]
end
return out
`;

/**
 * Settle: per counter, add the delta when its generation is unchanged, the full actual
 * when it was rebuilt since the reservation (the ledger did not have this request yet),
 * nothing when it is gone (the usage event reaches the ledger, a rebuild includes it).
 * ARGV per counter: generation, delta, full.
 */
export const ADJUST_SCRIPT = `
for i = 1, #KEYS do
  local a = (i - 1) * 3
  local g = redis.call('HGET', KEYS[i], 'g')
  if g then
    local add = ARGV[a + 3]
    if g == ARGV[a + 1] then add = ARGV[a + 2] end
    if add ~= '0' then redis.call('HINCRBY', KEYS[i], 'v', add) end
  end
end
return 1
`;

type ScriptReply = (string | number)[];

interface LimitsCommands {
  limitsReserve(numKeys: number, ...args: string[]): Promise<ScriptReply>;
  limitsAdjust(numKeys: number, ...args: string[]): Promise<number>;
}

/**
 * Counters in Redis. Each step is one EVALSHA (ioredis `defineCommand` loads the script
 * on first use and retries with EVAL on NOSCRIPT, e.g. after a Redis restart). Keys carry
 * `prefix`; a deployment on a Redis Cluster would need a hash tag per request, which
 * this driver does not add (single Redis, or a primary with replicas / Sentinel).
 */
export class RedisCounterDriver implements CounterDriver {
  readonly #redis: Redis & LimitsCommands;

  constructor(redis: Redis, private readonly prefix: string) {
    redis.defineCommand('limitsReserve', { lua: RESERVE_SCRIPT });
    redis.defineCommand('limitsAdjust', { lua: ADJUST_SCRIPT });
    this.#redis = redis as Redis & LimitsCommands;
  }

  async reserve(entries: readonly CounterEntry[], generation: string, seeds: readonly (number | undefined)[] | undefined, nowMs: number): Promise<DriverReserve> {
    const args: string[] = [];
    for (const e of entries) args.push(this.prefix + e.key);
    args.push(generation);
    entries.forEach((e, i) => {
      const seed = seeds?.[i];
      args.push(e.kind === 'budget' ? 'b' : e.kind === 'requests' ? 'r' : 't', String(e.limit), String(e.amount), String(Math.max(1, e.window.endMs - nowMs + SETTLE_MARGIN_MS)), seed === undefined ? '' : String(seed));
    });
    const reply = await this.#redis.limitsReserve(entries.length, ...args);
    const tag = Number(reply[0]);
    if (tag === 1) return { kind: 'ok', generations: reply.slice(1).map(String) };
    if (tag === 2) return { kind: 'seed', missing: reply.slice(1).map(Number) };
    return { kind: 'denied', index: Number(reply[1]), current: Number(reply[2]) };
  }

  async adjust(items: readonly Adjustment[]): Promise<void> {
    const args: string[] = [];
    for (const item of items) args.push(this.prefix + item.key);
    for (const item of items) args.push(item.generation, String(item.delta), String(item.full));
    await this.#redis.limitsAdjust(items.length, ...args);
  }

  async read(keys: readonly string[]): Promise<(number | undefined)[]> {
    if (keys.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const k of keys) pipeline.hget(this.prefix + k, 'v');
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, value]) => {
      if (err) throw err;
      return value === null || value === undefined ? undefined : Number(value);
    });
  }
}
