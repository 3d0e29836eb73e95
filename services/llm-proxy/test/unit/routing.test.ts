import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/errors';
import { configFallbacks, planRequest, planTargets, resolveTarget } from '../../src/domain/routing.js';
import { provider, table } from './helpers.js';

const openai = provider('openai');
const anthropic = provider('anthropic', { kind: 'anthropic' });
const groq = provider('groq');
const call = { requestId: 'r', keyId: '', parentRequestId: '' };

function caught(fn: () => unknown): SwitchyardError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SwitchyardError) return err;
    throw err;
  }
  throw new Error('expected a SwitchyardError');
}

const names = (targets: { provider: { id: string }; model: string }[]) => targets.map((t) => `${t.provider.id}/${t.model}`);

describe('resolveTarget', () => {
  const providers = table([openai, anthropic]).providers;

  it('splits provider/model at the first slash', () => {
    expect(resolveTarget('openai/gpt-4o', providers)).toEqual({ provider: openai, model: 'gpt-4o' });
    expect(resolveTarget('openai/meta-llama/Llama-3-70b', providers).model).toBe('meta-llama/Llama-3-70b');
  });

  it('rejects an unknown provider as invalid_argument on model', () => {
    const e = caught(() => resolveTarget('mistral/large', providers));
    expect([e.kind, e.param, e.message]).toEqual(['invalid_argument', 'model', 'unknown provider "mistral" in "mistral/large"']);
  });

  it('resolves a bare model only when exactly one provider is configured', () => {
    expect(resolveTarget('gpt-4o', table([openai]).providers)).toEqual({ provider: openai, model: 'gpt-4o' });
    const e = caught(() => resolveTarget('gpt-4o', providers));
    expect([e.kind, e.param]).toEqual(['invalid_argument', 'model']);
    expect(e.message).toContain('providers: openai, anthropic');
  });

  it('rejects an empty model name', () => {
    expect(caught(() => resolveTarget('openai/', providers)).kind).toBe('invalid_argument');
  });
});

describe('fallbacks', () => {
  const t = table([openai, anthropic, groq], {
    'openai/*': ['groq/llama-3.3'],
    'openai/gpt-4o': ['anthropic/claude-sonnet-4-5', 'groq/llama-3.3'],
    'gpt-4o-mini': ['anthropic/claude-haiku-4-5'],
  });

  it('prefers an exact provider/model rule over patterns', () => {
    expect(configFallbacks({ provider: openai, model: 'gpt-4o' }, t.fallbacks)).toEqual(['anthropic/claude-sonnet-4-5', 'groq/llama-3.3']);
    expect(configFallbacks({ provider: openai, model: 'o3' }, t.fallbacks)).toEqual(['groq/llama-3.3']);
    expect(configFallbacks({ provider: anthropic, model: 'claude' }, t.fallbacks)).toEqual([]);
  });

  it('matches bare-model patterns against the model name', () => {
    expect(configFallbacks({ provider: groq, model: 'gpt-4o-mini' }, t.fallbacks)).toEqual(['anthropic/claude-haiku-4-5']);
  });

  it('orders the body fallbacks first, then config ones, without duplicates or the primary', () => {
    const targets = planTargets({ provider: openai, model: 'gpt-4o' }, ['groq/mixtral', 'openai/gpt-4o', 'anthropic/claude-sonnet-4-5'], t);
    expect(names(targets)).toEqual(['openai/gpt-4o', 'groq/mixtral', 'anthropic/claude-sonnet-4-5', 'groq/llama-3.3']);
  });

  it('rejects malformed body fallbacks on the fallbacks param', () => {
    expect(caught(() => planTargets({ provider: openai, model: 'x' }, 'anthropic/x', t)).param).toBe('fallbacks');
    expect(caught(() => planTargets({ provider: openai, model: 'x' }, ['nope/x'], t)).param).toBe('fallbacks');
  });
});

describe('planRequest', () => {
  const t = table([openai, anthropic], { 'openai/*': ['anthropic/claude'] });

  it('removes fallbacks from the body and plans the targets', () => {
    const body = { model: 'openai/gpt-4o', messages: [], fallbacks: ['anthropic/other'], temperature: 0 };
    const r = planRequest({ call, body, stream: false, timeoutMs: 500 }, t);
    expect(r.body).toEqual({ model: 'openai/gpt-4o', messages: [], temperature: 0 });
    expect(names([...r.targets])).toEqual(['openai/gpt-4o', 'anthropic/other', 'anthropic/claude']);
    expect([r.model, r.stream, r.timeoutMs]).toEqual(['openai/gpt-4o', false, 500]);
  });

  it('reads stream_options.include_usage for streams only', () => {
    const body = { model: 'openai/x', messages: [], stream: true, stream_options: { include_usage: true } };
    expect(planRequest({ call, body, stream: true, timeoutMs: 0 }, t).includeUsage).toBe(true);
    expect(planRequest({ call, body: { ...body, stream_options: undefined }, stream: true, timeoutMs: 0 }, t).includeUsage).toBe(false);
  });

  it('rejects what routing cannot use', () => {
    expect(caught(() => planRequest({ call, body: { messages: [] }, stream: false, timeoutMs: 0 }, t)).param).toBe('model');
    expect(caught(() => planRequest({ call, body: { model: 'openai/x' }, stream: false, timeoutMs: 0 }, t)).param).toBe('messages');
    expect(caught(() => planRequest({ call, body: { model: 'openai/x', messages: [], stream: true }, stream: false, timeoutMs: 0 }, t)).param).toBe('stream');
    expect(caught(() => planRequest({ call, body: { model: 'openai/x', messages: [], stream: 'yes' }, stream: true, timeoutMs: 0 }, t)).param).toBe('stream');
  });
});
