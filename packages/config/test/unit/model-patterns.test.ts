import { describe, expect, it } from 'vitest';
import {
  ALLOW_ALL_MODELS, compileModelPatterns, globMatch, isValidModelPattern, matchesModelPattern, modelAllowed, modelPatternProblem,
} from '../../src/index.js';

describe('model pattern validity', () => {
  it.each(['*', 'openai/*', 'openai/gpt-4o', 'anthropic/claude-*-latest', '*/gpt-4o', '*gpt*', 'openrouter/meta-llama/llama-3.1-8b', 'openai/gpt-4o*'])(
    'accepts %s',
    (pattern) => expect(modelPatternProblem(pattern)).toBeUndefined(),
  );

  it.each([
    ['', 'must not be empty'],
    ['gpt-4o', 'provider/model'],
    ['/gpt-4o', 'provider'],
    ['/*', 'provider'],
    ['openai/', 'model after'],
    ['openai/gpt 4o', 'whitespace'],
    [' openai/*', 'whitespace'],
    ['openai/gpt\n', 'whitespace'],
    [`openai/${'x'.repeat(300)}`, 'at most'],
  ])('rejects %j', (pattern, reason) => {
    expect(isValidModelPattern(pattern)).toBe(false);
    expect(modelPatternProblem(pattern)).toContain(reason);
  });
});

const MATCH_CASES: [string, string, boolean][] = [
  ['*', 'openai/gpt-4o', true],
  ['openai/*', 'openai/gpt-4o', true],
  ['openai/*', 'openai/', true],
  ['openai/*', 'anthropic/claude-3', false],
  ['openai/*', 'openaix/gpt-4o', false],
  ['openai/gpt-4o', 'openai/gpt-4o', true],
  ['openai/gpt-4o', 'openai/gpt-4o-mini', false],
  ['openai/gpt-4o*', 'openai/gpt-4o-mini', true],
  ['*/gpt-4o', 'azure/gpt-4o', true],
  ['*/gpt-4o', 'azure/gpt-4o-mini', false],
  ['anthropic/claude-*-latest', 'anthropic/claude-3-5-sonnet-latest', true],
  ['anthropic/claude-*-latest', 'anthropic/claude-3-5-sonnet', false],
  ['*gpt*', 'openrouter/openai/gpt-4o', true],
  ['a*b*c', 'aXbYbZc', true],
  ['a*b*c', 'aXbYbZ', false],
  ['OpenAI/*', 'openai/gpt-4o', false],
  ['openai/**', 'openai/x', true],
];

describe('matchesModelPattern', () => {
  it.each(MATCH_CASES)('%s vs %s → %s', (pattern, model, expected) => {
    expect(matchesModelPattern(pattern, model)).toBe(expected);
  });

  it.each(MATCH_CASES)('compiled [%s] agrees on %s', (pattern, model, expected) => {
    expect(compileModelPatterns([pattern])(model)).toBe(expected);
  });
});

describe('modelAllowed', () => {
  it('allows nothing with an empty list', () => {
    expect(modelAllowed([], 'openai/gpt-4o')).toBe(false);
  });

  it('allows a model when any pattern matches', () => {
    const patterns = ['anthropic/*', 'openai/gpt-4o-mini'];
    expect(modelAllowed(patterns, 'anthropic/claude-3-haiku')).toBe(true);
    expect(modelAllowed(patterns, 'openai/gpt-4o-mini')).toBe(true);
    expect(modelAllowed(patterns, 'openai/gpt-4o')).toBe(false);
  });

  it('never allows an empty model name, even with "*"', () => {
    expect(modelAllowed(['*'], '')).toBe(false);
  });

  it('stays linear on adversarial patterns', () => {
    const started = performance.now();
    expect(modelAllowed([`${'*a'.repeat(50)}b`], 'a'.repeat(5000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('compiled model patterns (the edge\'s per-request check)', () => {
  it.each([
    [['*'], 'anything/at-all', true],
    [['openai/*'], 'openai/gpt-4o', true],
    [['openai/*'], 'openai/', true],
    [['openai/*'], 'anthropic/claude', false],
    [['openai/*'], 'openai', false],
    [['openai/gpt-4o'], 'openai/gpt-4o', true],
    [['openai/gpt-4o'], 'openai/gpt-4o-mini', false],
    [['openai/gpt-4o*'], 'openai/gpt-4o-mini', true],
    [['*-mini'], 'openai/gpt-4o-mini', true],
    [['*-mini'], 'openai/gpt-4o', false],
    [['openrouter/*/llama-*'], 'openrouter/meta/llama-3', true],
    [['openrouter/*/llama-*'], 'openrouter/meta/mistral', false],
    [['a*a'], 'a', false],
    [['a*a'], 'aa', true],
    [[], 'openai/gpt-4o', false],
    [['OpenAI/*'], 'openai/gpt-4o', false],
  ])('%j allows %s: %s', (patterns, model, allowed) => {
    expect(compileModelPatterns(patterns)(model)).toBe(allowed);
  });

  it('"*" anywhere in the list allows everything, via the shared matcher', () => {
    expect(compileModelPatterns(['openai/x', '*'])).toBe(ALLOW_ALL_MODELS);
  });

  it('globMatch handles repeated stars', () => {
    expect(globMatch('a**b'.split('*'), 'axxb')).toBe(true);
  });
});
