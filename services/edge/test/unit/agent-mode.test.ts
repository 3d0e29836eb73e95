import { describe, expect, it } from 'vitest';
import { addUsage, decide, readTurn, runAgentLoop, StreamedTurn, withSummedUsage, type AgentLoopDeps } from '../../src/domain/agent-mode.js';
import { autoExecutableNames, hasAutoExecute, type McpTool, type ToolCall } from '../../src/domain/mcp-tools.js';
import type { Completion } from '../../src/domain/types.js';

const AUTO = new Set(['e-echo', 'e-add']);
const call = (name: string, id = `id-${name}`): ToolCall => ({ id, name, arguments: '{"message":"hi"}' });

type Json = Record<string, unknown>;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function completion(toolCalls: string[], usage = { prompt: 10, completion: 2 }): Completion {
  const message: Json = toolCalls.length === 0
    ? { role: 'assistant', content: 'done' }
    : { role: 'assistant', content: null, tool_calls: toolCalls.map((n, i) => ({ id: `c${i}-${n}`, type: 'function', function: { name: n, arguments: '{}' } })) };
  const body = { id: 'x', choices: [{ index: 0, message, finish_reason: toolCalls.length ? 'tool_calls' : 'stop' }], usage: { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion } };
  return {
    body: encoder.encode(JSON.stringify(body)),
    outcome: { provider: 'p', model: 'm', attempts: 1, usage: { promptTokens: BigInt(usage.prompt), completionTokens: BigInt(usage.completion) } } as Completion['outcome'],
  };
}

/** A fake model answering the scripted turns in order, and a fake executor recording its calls. */
function fakes(turns: Completion[], maxDepth = 10): AgentLoopDeps & { requests: Json[]; executed: string[] } {
  const requests: Json[] = [];
  const executed: string[] = [];
  let i = 0;
  return {
    requests, executed, auto: AUTO, maxDepth,
    complete: (body) => {
      requests.push(JSON.parse(decoder.decode(body)) as Json);
      const next = turns[Math.min(i++, turns.length - 1)]!;
      return Promise.resolve(next);
    },
    execute: async (c) => {
      executed.push(c.name);
      await new Promise((r) => setTimeout(r, 1));
      return `result of ${c.name}`;
    },
  };
}

const start = (): { conversation: Json; body: Uint8Array } => {
  const conversation: Json = { model: 'm', messages: [{ role: 'user', content: 'go' }] };
  return { conversation, body: encoder.encode(JSON.stringify(conversation)) };
};

describe('decide', () => {
  it('executes when every call is auto-executable and depth remains', () => {
    expect(decide([call('e-echo'), call('e-add')], AUTO, 0, 10)).toEqual({ action: 'execute' });
  });
  it('returns the answer without tool calls as final', () => {
    expect(decide([], AUTO, 3, 10)).toEqual({ action: 'return', reason: 'final' });
  });
  it('stops when any call is not auto-approved (mixed)', () => {
    expect(decide([call('e-echo'), call('caller_tool')], AUTO, 0, 10)).toEqual({ action: 'return', reason: 'pending' });
    expect(decide([call('')], AUTO, 0, 10)).toEqual({ action: 'return', reason: 'pending' });
  });
  it('stops at the depth limit', () => {
    expect(decide([call('e-echo')], AUTO, 2, 3)).toEqual({ action: 'execute' });
    expect(decide([call('e-echo')], AUTO, 3, 3)).toEqual({ action: 'return', reason: 'max_depth' });
  });
});

describe('readTurn', () => {
  it('reads the first choice and its function calls; unreadable calls get an empty name', () => {
    const turn = readTurn({ choices: [{ message: { role: 'assistant', tool_calls: [
      { id: 'a', type: 'function', function: { name: 'e-echo', arguments: '{"x":1}' } },
      { id: 'b', type: 'custom', custom: {} },
    ] } }] });
    expect(turn.toolCalls).toEqual([{ id: 'a', name: 'e-echo', arguments: '{"x":1}' }, { id: 'b', name: '', arguments: '{}' }]);
    expect(readTurn({ choices: [] })).toEqual({ message: undefined, toolCalls: [] });
  });
});

describe('addUsage', () => {
  it('sums bigints and keeps the defined side', () => {
    expect(addUsage({ promptTokens: 1n, completionTokens: 2n }, { promptTokens: 3n, completionTokens: 4n })).toEqual({ promptTokens: 4n, completionTokens: 6n });
    expect(addUsage(undefined, { promptTokens: 3n, completionTokens: 4n })).toEqual({ promptTokens: 3n, completionTokens: 4n });
  });
});

describe('runAgentLoop', () => {
  it('runs all-auto calls in parallel, feeds the results back, and sums usage', async () => {
    const deps = fakes([completion(['e-echo', 'e-add']), completion([], { prompt: 30, completion: 5 })]);
    const { conversation, body } = start();
    const result = await runAgentLoop(conversation, body, deps);
    expect(result.iterations).toBe(2);
    expect(result.stopped).toBe('final');
    expect(deps.executed.sort()).toEqual(['e-add', 'e-echo']);
    const second = deps.requests[1]!.messages as Json[];
    expect(second.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'tool']);
    expect(second[2]).toEqual({ role: 'tool', tool_call_id: 'c0-e-echo', content: 'result of e-echo' });
    expect(second[3]).toEqual({ role: 'tool', tool_call_id: 'c1-e-add', content: 'result of e-add' });
    const final = JSON.parse(decoder.decode(result.completion.body)) as Json;
    expect(final.usage).toEqual({ prompt_tokens: 40, completion_tokens: 7, total_tokens: 47 });
    expect((final.choices as Json[])[0]!.message).toEqual({ role: 'assistant', content: 'done' });
    expect(result.completion.outcome?.usage).toEqual({ promptTokens: 40n, completionTokens: 7n });
  });

  it('returns a mixed answer as is, executing nothing', async () => {
    const first = completion(['e-echo', 'caller_tool']);
    const deps = fakes([first]);
    const { conversation, body } = start();
    const result = await runAgentLoop(conversation, body, deps);
    expect(result).toMatchObject({ iterations: 1, stopped: 'pending' });
    expect(result.completion).toBe(first);
    expect(deps.executed).toEqual([]);
  });

  it('stops after maxDepth rounds and returns the last answer with usage summed', async () => {
    const deps = fakes([completion(['e-echo'])], 3);
    const { conversation, body } = start();
    const result = await runAgentLoop(conversation, body, deps);
    expect(result).toMatchObject({ iterations: 4, stopped: 'max_depth' });
    expect(deps.executed).toEqual(['e-echo', 'e-echo', 'e-echo']);
    const final = JSON.parse(decoder.decode(result.completion.body)) as Json;
    expect(final.usage).toEqual({ prompt_tokens: 40, completion_tokens: 8, total_tokens: 48 });
    expect(((final.choices as Json[])[0]!.message as Json).tool_calls).toHaveLength(1);
  });
});

describe('auto-executable selection', () => {
  const tool = (name: string, autoExecute: boolean): McpTool => ({ name, client: 'e', description: undefined, parameters: {}, autoExecute });
  it('keeps the selected auto tools that the caller did not override', () => {
    const selected = [tool('e-echo', true), tool('e-add', false), tool('e-mine', true)];
    expect(hasAutoExecute(selected)).toBe(true);
    expect(hasAutoExecute([tool('e-add', false)])).toBe(false);
    const names = autoExecutableNames([{ type: 'function', function: { name: 'e-mine' } }], selected);
    expect([...(names ?? [])]).toEqual(['e-echo']);
    expect(autoExecutableNames(undefined, [tool('e-add', false)])).toBeUndefined();
  });
});

describe('StreamedTurn', () => {
  it('relays content, holds from the first tool-call delta, reassembles calls by index, and holds usage', () => {
    const turn = new StreamedTurn();
    const usage = { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 };
    const delta = (d: Json): Json => ({ choices: [{ index: 0, delta: d }] });
    expect(turn.accept(delta({ role: 'assistant', content: 'let me ' }), usage)).toBe(false);
    expect(turn.accept(delta({ content: 'check' }), usage)).toBe(false);
    expect(turn.accept(delta({ tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'e-echo', arguments: '{"mes' } }] }), usage)).toBe(true);
    expect(turn.accept(delta({ tool_calls: [{ index: 0, function: { arguments: 'sage":"hi"}' } }] }), usage)).toBe(true);
    expect(turn.accept({ choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }, usage)).toBe(true);
    const usageChunk = { choices: [], usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 } };
    expect(turn.accept(usageChunk, usage)).toBe(true);
    expect(usage).toEqual({ prompt_tokens: 15, completion_tokens: 3, total_tokens: 18 });
    expect(turn.toolCalls).toEqual([{ id: 'a', name: 'e-echo', arguments: '{"message":"hi"}' }]);
    expect(turn.assistantMessage()).toEqual({
      role: 'assistant', content: 'let me check',
      tool_calls: [{ id: 'a', type: 'function', function: { name: 'e-echo', arguments: '{"message":"hi"}' } }],
    });
    const out = JSON.parse(decoder.decode(withSummedUsage(usageChunk, new Uint8Array(0), usage))) as Json;
    expect(out.usage).toEqual({ prompt_tokens: 15, completion_tokens: 3, total_tokens: 18 });
    const plain = encoder.encode('{}');
    expect(withSummedUsage({}, plain, usage)).toBe(plain);
  });

  it('relays everything of an answer without tool calls', () => {
    const turn = new StreamedTurn();
    expect(turn.accept({ choices: [{ delta: { content: 'done' }, finish_reason: 'stop' }] }, { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 })).toBe(false);
    expect(turn.toolCalls).toEqual([]);
  });
});
