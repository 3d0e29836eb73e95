import type { ToolCall } from './mcp-tools.js';
import type { Completion, Usage } from './types.js';

/**
 * Agent mode: when a chat request carries auto-executable MCP tools, the edge runs
 * the tool loop itself. Each round: call the model; if it asks for tools and every
 * one of them is auto-executable, run them in parallel, append the assistant message
 * and the tool results, and call the model again. The loop stops when the model
 * answers without tool calls, when it asks for any tool that is not auto-approved
 * (that response goes back as is: its calls are suggestions for the app), or after
 * `maxDepth` rounds of tool execution (the last response goes back as is).
 */

export type AgentDecision =
  | { readonly action: 'execute' }
  | { readonly action: 'return'; readonly reason: 'final' | 'pending' | 'max_depth' };

/** What to do with one model answer. `depth` counts the tool rounds already run. */
export function decide(calls: readonly ToolCall[], auto: ReadonlySet<string>, depth: number, maxDepth: number): AgentDecision {
  if (calls.length === 0) return { action: 'return', reason: 'final' };
  for (const c of calls) if (!auto.has(c.name)) return { action: 'return', reason: 'pending' };
  if (depth >= maxDepth) return { action: 'return', reason: 'max_depth' };
  return { action: 'execute' };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface AssistantTurn {
  /** `choices[0].message`, as the model sent it. */
  readonly message: Record<string, unknown> | undefined;
  /** Its function tool calls; a call that cannot be read is named '' (never auto-executable). */
  readonly toolCalls: readonly ToolCall[];
}

/** The first choice of a chat completion body (parsed JSON). */
export function readTurn(completion: unknown): AssistantTurn {
  const choices = isObject(completion) ? completion.choices : undefined;
  const choice: unknown = Array.isArray(choices) ? choices[0] : undefined;
  const message = isObject(choice) && isObject(choice.message) ? choice.message : undefined;
  const raw = message?.tool_calls;
  if (!Array.isArray(raw) || raw.length === 0) return { message, toolCalls: [] };
  const toolCalls = (raw as unknown[]).map((c): ToolCall => {
    const fn = isObject(c) && c.type === 'function' && isObject(c.function) ? c.function : undefined;
    const id = isObject(c) && typeof c.id === 'string' ? c.id : '';
    const name = typeof fn?.name === 'string' ? fn.name : '';
    const args = typeof fn?.arguments === 'string' ? fn.arguments : '{}';
    return { id, name, arguments: args };
  });
  return { message, toolCalls };
}

export function addUsage(a: Usage | undefined, b: Usage | undefined): Usage | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return { promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens };
}

export interface JsonUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** Adds the `usage` of one completion body (parsed JSON) into `into`. */
export function addJsonUsage(into: JsonUsage, completion: unknown): void {
  const usage = isObject(completion) ? completion.usage : undefined;
  if (!isObject(usage)) return;
  into.prompt_tokens += num(usage.prompt_tokens);
  into.completion_tokens += num(usage.completion_tokens);
  into.total_tokens += num(usage.total_tokens);
}

export interface AgentLoopDeps {
  /** One model call with this request body. */
  complete(body: Uint8Array): Promise<Completion>;
  /** Runs one tool call; resolves with the tool message content (failures as text, never rejects by design). */
  execute(call: ToolCall): Promise<string>;
  readonly auto: ReadonlySet<string>;
  readonly maxDepth: number;
}

export interface AgentResult {
  /** The last answer, its usage summed over every model call. */
  readonly completion: Completion;
  /** How many times the model was called. */
  readonly iterations: number;
  readonly stopped: 'final' | 'pending' | 'max_depth';
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * Runs the loop. `conversation` is the parsed request (its `messages` grow by the
 * assistant message and tool results of each round); `first` is its body as sent.
 */
export async function runAgentLoop(conversation: { messages: unknown }, first: Uint8Array, deps: AgentLoopDeps): Promise<AgentResult> {
  const messages = conversation.messages as unknown[];
  let body = first;
  let usage: Usage | undefined;
  const json: JsonUsage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  for (let depth = 0; ; depth++) {
    const completion = await deps.complete(body);
    usage = addUsage(usage, completion.outcome?.usage);
    const parsed: unknown = JSON.parse(decoder.decode(completion.body));
    addJsonUsage(json, parsed);
    const turn = readTurn(parsed);
    const decision = decide(turn.toolCalls, deps.auto, depth, deps.maxDepth);
    if (decision.action === 'return') {
      const iterations = depth + 1;
      return { completion: iterations === 1 ? completion : withUsage(completion, parsed, json, usage), iterations, stopped: decision.reason };
    }
    const results = await Promise.all(turn.toolCalls.map((c) => deps.execute(c)));
    messages.push(turn.message);
    turn.toolCalls.forEach((c, i) => messages.push({ role: 'tool', tool_call_id: c.id, content: results[i] }));
    body = encoder.encode(JSON.stringify(conversation));
  }
}

function withUsage(last: Completion, parsed: unknown, json: JsonUsage, usage: Usage | undefined): Completion {
  if (isObject(parsed)) parsed.usage = { ...(isObject(parsed.usage) ? parsed.usage : {}), ...json };
  const body = encoder.encode(JSON.stringify(parsed));
  return { body, outcome: last.outcome === undefined ? undefined : { ...last.outcome, usage } };
}

/**
 * One streamed model answer in agent mode, read chunk by chunk (parsed JSON). Content
 * is relayed as it comes; from the first tool-call delta on, chunks are held (the
 * edge may execute the calls and continue instead of sending them), and so is a usage
 * chunk (its usage is summed over the iterations before it goes out).
 */
export class StreamedTurn {
  #content = '';
  #holding = false;
  readonly #calls: { id: string; name: string; arguments: string }[] = [];

  /** True when the chunk must be held rather than relayed now. */
  accept(chunk: unknown, usage: JsonUsage): boolean {
    if (!isObject(chunk)) return this.#holding;
    const choices = chunk.choices;
    const choice: unknown = Array.isArray(choices) ? choices[0] : undefined;
    const delta = isObject(choice) && isObject(choice.delta) ? choice.delta : undefined;
    if (typeof delta?.content === 'string') this.#content += delta.content;
    if (Array.isArray(delta?.tool_calls)) {
      this.#holding = true;
      for (const c of delta.tool_calls as unknown[]) this.#addDelta(c);
    }
    if (isObject(chunk.usage)) {
      addJsonUsage(usage, chunk);
      return true;
    }
    return this.#holding;
  }

  #addDelta(c: unknown): void {
    if (!isObject(c)) return;
    const index = typeof c.index === 'number' ? c.index : this.#calls.length;
    const call = (this.#calls[index] ??= { id: '', name: '', arguments: '' });
    if (typeof c.id === 'string') call.id = c.id;
    const fn = isObject(c.function) ? c.function : undefined;
    if (typeof fn?.name === 'string') call.name += fn.name;
    if (typeof fn?.arguments === 'string') call.arguments += fn.arguments;
  }

  get toolCalls(): readonly ToolCall[] {
    return this.#calls.filter((c) => c !== undefined).map((c) => ({ id: c.id, name: c.name, arguments: c.arguments || '{}' }));
  }

  /** The assistant message to append before the tool results. */
  assistantMessage(): Record<string, unknown> {
    return {
      role: 'assistant',
      content: this.#content.length > 0 ? this.#content : null,
      tool_calls: this.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
    };
  }
}

/** A held chunk as it goes out: a usage chunk carries the usage summed over the iterations, any other its own bytes. */
export function withSummedUsage(chunk: unknown, bytes: Uint8Array, usage: JsonUsage): Uint8Array {
  if (!isObject(chunk) || !isObject(chunk.usage)) return bytes;
  chunk.usage = { ...chunk.usage, ...usage };
  return encoder.encode(JSON.stringify(chunk));
}
