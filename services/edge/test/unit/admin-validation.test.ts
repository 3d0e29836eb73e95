import { describe, expect, it } from 'vitest';
import { createKeyBody, logsQuery, updateKeyBody } from '../../src/server/http/admin-schemas.js';
import { parseJsonBody, parseWith } from '../../src/server/http/validation.js';

function failure(fn: () => unknown): { message: string; param: string | undefined } {
  try {
    fn();
  } catch (err) {
    const e = err as { message: string; param: string | undefined; kind: string };
    expect(e.kind).toBe('invalid_argument');
    return { message: e.message, param: e.param };
  }
  throw new Error('expected a failure');
}

describe('admin validation', () => {
  it('names every unknown field', () => {
    expect(failure(() => parseWith(createKeyBody, { name: 'x', nmae: 'y' }))).toEqual({ message: "unknown field: 'nmae'", param: 'nmae' });
    expect(failure(() => parseWith(updateKeyBody, { a: 1, b: 2 }))).toEqual({ message: "unknown fields: 'a', 'b'", param: 'a' });
  });

  it('names the bad field', () => {
    expect(failure(() => parseWith(createKeyBody, { name: 'x', allowed_models: ['ok', ''] })))
      .toEqual({ message: "'allowed_models[1]': model patterns must be non-empty strings", param: 'allowed_models[1]' });
    expect(failure(() => parseWith(logsQuery, { until: 'soon' })).param).toBe('until');
  });

  it('defaults and converts', () => {
    const body = parseWith(createKeyBody, { name: ' ci ', expires_at: '2099-01-01T00:00:00+02:00' });
    expect(body).toEqual({ name: 'ci', enabled: true, allowed_models: ['*'], allowed_providers: ['*'], expires_at: new Date('2098-12-31T22:00:00Z') });
    expect(parseWith(updateKeyBody, { expires_at: null })).toEqual({ expires_at: null });
  });

  it('rejects empty and malformed JSON bodies', () => {
    expect(failure(() => parseJsonBody('')).message).toBe('request body is empty: expected a JSON object');
    expect(failure(() => parseJsonBody('{')).message).toBe('request body is not valid JSON');
  });
});
