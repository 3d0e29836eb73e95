import type { IncomingHttpHeaders } from 'node:http';
import { defaultReply } from './content.js';
import { mayHaveDirectives, parseDirectives, type Directives, type DropMode } from './directives.js';
import type { ScenarioStore } from './scenarios.js';
import type { MockStep, MockToolCall } from './types.js';

/** What the mock will answer to one completion request, whichever wire format it speaks. */
export interface Plan {
  /** 200 to answer normally, else an error in the provider's envelope. */
  status: number;
  errorMessage: string;
  latencyMs: number;
  hang: boolean;
  drop: DropMode | undefined;
  /** Null when the answer is only tool calls. */
  reply: string | null;
  toolCalls: MockToolCall[];
  /** Pieces the streamed content (and each tool call's arguments) is split into. */
  chunks: number;
  /** Delay between streamed events. */
  intervalMs: number;
  scenario?: string;
  step?: number;
}

export interface PlanInput {
  body: Record<string, unknown>;
  raw: string;
  headers: IncomingHttpHeaders;
  latencyMs: number;
  store: ScenarioStore;
}

export const DEFAULT_CHUNKS = 4;

function basePlan(latencyMs: number): Plan {
  return {
    status: 200,
    errorMessage: '',
    latencyMs,
    hang: false,
    drop: undefined,
    reply: null,
    toolCalls: [],
    chunks: DEFAULT_CHUNKS,
    intervalMs: 0,
  };
}

function fail(plan: Plan, status: number, why: string): Plan {
  plan.status = status;
  plan.errorMessage = `mock: ${why} (status ${status})`;
  return plan;
}

function applyStep(plan: Plan, step: MockStep): void {
  if (step.latencyMs !== undefined) plan.latencyMs = step.latencyMs;
  if (step.hang !== undefined) plan.hang = step.hang;
  if (step.drop) plan.drop = 'auto';
  if (step.status !== undefined && step.status !== 200) fail(plan, step.status, 'scripted error');
}

function fromDirectives(input: PlanInput, d: Directives): Plan {
  const plan = basePlan(d.latencyMs ?? input.latencyMs);
  plan.hang = d.hang ?? false;
  plan.drop = d.drop;
  plan.chunks = d.chunks ?? DEFAULT_CHUNKS;
  plan.intervalMs = d.intervalMs ?? 0;
  if (d.scenario !== undefined) plan.scenario = d.scenario;
  if (d.status !== undefined && d.status !== 200) return fail(plan, d.status, 'status directive');
  if (d.fail !== undefined) {
    // Counted per scenario when one is named, else per directive text.
    const key = d.scenario !== undefined ? `scenario:${d.scenario}` : `directive:${d.source}`;
    if (input.store.takeFailure(key, d.count ?? 1)) return fail(plan, d.fail, 'fail directive');
  }
  let reply = d.reply;
  let toolCalls = d.tools;
  const next = d.scenario === undefined ? undefined : input.store.next(d.scenario);
  if (next) {
    plan.step = next.index;
    applyStep(plan, next.step);
    if (plan.status !== 200) return plan;
    if (next.step.reply !== undefined || next.step.toolCalls !== undefined) {
      reply = next.step.reply;
      toolCalls = next.step.toolCalls ?? [];
    }
  }
  plan.toolCalls = toolCalls;
  plan.reply = reply ?? (toolCalls.length > 0 ? null : defaultReply(input.body));
  return plan;
}

/** Decides the answer. Throws DirectiveError when a directive is malformed. */
export function resolvePlan(input: PlanInput): Plan {
  const d = mayHaveDirectives(input.raw, input.headers) ? parseDirectives(input.body, input.headers) : undefined;
  if (d) return fromDirectives(input, d);
  const plan = basePlan(input.latencyMs);
  plan.reply = defaultReply(input.body);
  return plan;
}
