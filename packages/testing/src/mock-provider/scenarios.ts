import { isRecord } from './content.js';
import type { MockStep, MockToolCall } from './types.js';

interface Script {
  steps: MockStep[];
  next: number;
}

/** Scripted scenarios and `fail=` counters: the mock's only state besides the recorded requests. */
export class ScenarioStore {
  readonly #scripts = new Map<string, Script>();
  readonly #failures = new Map<string, number>();

  script(id: string, steps: MockStep[]): void {
    if (steps.length === 0) throw new Error(`scenario ${id}: needs at least one step`);
    this.#scripts.set(id, { steps: steps.map((s) => ({ ...s })), next: 0 });
  }

  /** The next step of scenario `id` (the last step repeats), or undefined if it is not scripted. */
  next(id: string): { step: MockStep; index: number } | undefined {
    const script = this.#scripts.get(id);
    if (!script) return undefined;
    const index = Math.min(script.next, script.steps.length - 1);
    script.next = index + 1;
    const step = script.steps[index];
    return step ? { step, index } : undefined;
  }

  /** True (and counts it) while fewer than `count` requests under `key` have been failed. */
  takeFailure(key: string, count: number): boolean {
    const failed = this.#failures.get(key) ?? 0;
    if (failed >= count) return false;
    this.#failures.set(key, failed + 1);
    return true;
  }

  reset(): void {
    this.#scripts.clear();
    this.#failures.clear();
  }
}

function optional<T>(
  step: Record<string, unknown>,
  key: string,
  check: (v: unknown) => v is T,
  what: string,
): T | undefined {
  const value = step[key];
  if (value === undefined) return undefined;
  if (!check(value)) throw new Error(`step.${key}: expected ${what}`);
  return value;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isStatus = (v: unknown): v is number => Number.isInteger(v) && Number(v) >= 100 && Number(v) <= 599;
const isMs = (v: unknown): v is number => Number.isInteger(v) && Number(v) >= 0;
const isToolCalls = (v: unknown): v is MockToolCall[] =>
  Array.isArray(v) && v.every((c) => isRecord(c) && typeof c['name'] === 'string');

/** Validates steps that arrive over the control API. */
export function parseSteps(value: unknown): MockStep[] {
  if (!Array.isArray(value) || value.length === 0) throw new Error('steps: expected a non-empty array');
  return value.map((raw): MockStep => {
    if (!isRecord(raw)) throw new Error('step: expected an object');
    const step: MockStep = {};
    const reply = optional(raw, 'reply', isString, 'a string');
    const toolCalls = optional(raw, 'toolCalls', isToolCalls, 'an array of {name, arguments}');
    const status = optional(raw, 'status', isStatus, 'an HTTP status');
    const latencyMs = optional(raw, 'latencyMs', isMs, 'milliseconds');
    const hang = optional(raw, 'hang', isBoolean, 'a boolean');
    const drop = optional(raw, 'drop', isBoolean, 'a boolean');
    if (reply !== undefined) step.reply = reply;
    if (toolCalls !== undefined) step.toolCalls = toolCalls.map((c) => ({ name: c.name, arguments: c.arguments ?? {} }));
    if (status !== undefined) step.status = status;
    if (latencyMs !== undefined) step.latencyMs = latencyMs;
    if (hang !== undefined) step.hang = hang;
    if (drop !== undefined) step.drop = drop;
    return step;
  });
}
