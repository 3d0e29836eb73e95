import { tokens } from './content.js';
import type { Plan } from './plan.js';

/** One answer to render: the plan plus the bits both wire formats need. */
export interface Completion {
  /** Unique per answer; the renderers prefix it (`chatcmpl-`, `msg_`, ...). */
  seq: string;
  /** Unix seconds. */
  created: number;
  model: string;
  plan: Plan;
  promptTokens: number;
  completionTokens: number;
  /** Each tool call's arguments, serialised once. */
  argsJson: string[];
}

export function makeCompletion(seq: string, model: string, plan: Plan, promptChars: number): Completion {
  const argsJson = plan.toolCalls.map((call) => JSON.stringify(call.arguments ?? {}) ?? '{}');
  let chars = plan.reply?.length ?? 0;
  plan.toolCalls.forEach((call, i) => (chars += call.name.length + (argsJson[i]?.length ?? 0)));
  return {
    seq,
    created: Math.floor(Date.now() / 1000),
    model,
    plan,
    promptTokens: tokens(promptChars),
    completionTokens: tokens(chars),
    argsJson,
  };
}
