import { describe, expect, it } from 'vitest';
import { isGatewayState, MrtrRegistry, signState, verifyState, type RoundEvent } from '../../src/server/http/mcp-mrtr.js';
import type { JsonRpcResponse } from '../../src/server/http/mcp-server-protocol.js';

const SECRET = 's'.repeat(32);
const claims = { h: 'handle', n: 'tool', ids: ['sy-1'], exp: Date.now() + 60_000 };

describe('MRTR requestState', () => {
  it('verifies for the same secret and binding, and refuses a tampered, foreign, rebound or expired state', () => {
    const state = signState(SECRET, 'key\n/mcp', claims);
    expect(isGatewayState(state)).toBe(true);
    expect(isGatewayState('upstream-state')).toBe(false);
    expect(verifyState(SECRET, 'key\n/mcp', state)).toEqual(claims);
    expect(verifyState(SECRET, 'other-key\n/mcp', state)).toBeUndefined();
    expect(verifyState('t'.repeat(32), 'key\n/mcp', state)).toBeUndefined();
    const [prefix, payload, mac] = state.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, h: 'another' })).toString('base64url');
    expect(verifyState(SECRET, 'key\n/mcp', `${prefix}.${forged}.${mac}`)).toBeUndefined();
    expect(verifyState(SECRET, 'key\n/mcp', `${prefix}.${payload}`)).toBeUndefined();
    expect(verifyState(SECRET, 'key\n/mcp', state, claims.exp + 1)).toBeUndefined();
  });
});

function controllable(): { run: (emit: (m: Record<string, unknown>) => void) => Promise<JsonRpcResponse>; emit: (m: Record<string, unknown>) => void; finish: (r: JsonRpcResponse) => void } {
  let emitter: (m: Record<string, unknown>) => void = () => undefined;
  let finish: (r: JsonRpcResponse) => void = () => undefined;
  return {
    run: (emit) => { emitter = emit; return new Promise((resolve) => { finish = resolve; }); },
    emit: (m) => emitter(m),
    finish: (r) => finish(r),
  };
}

describe('MrtrCall', () => {
  it('gathers requests sent together into one round, streams other messages, then ends with the answer', async () => {
    const registry = new MrtrRegistry(SECRET, 60_000);
    const call = registry.open('tool', new AbortController());
    const upstream = controllable();
    call.start(upstream.run);
    const seen: unknown[] = [];
    const round = call.next((m) => seen.push(m), new AbortController().signal);
    expect(call.active).toBe(true);
    upstream.emit({ method: 'notifications/progress', params: { progress: 1 } });
    upstream.emit({ id: 'sy-a', method: 'sampling/createMessage', params: {} });
    upstream.emit({ id: 'sy-b', method: 'roots/list', params: {} });
    const e = await round;
    expect(e).toEqual({ kind: 'input', requests: [{ id: 'sy-a', method: 'sampling/createMessage', params: {} }, { id: 'sy-b', method: 'roots/list', params: {} }] });
    expect(seen).toEqual([{ method: 'notifications/progress', params: { progress: 1 } }]);
    expect(call.active).toBe(false);
    expect([...call.outstanding.keys()]).toEqual(['sy-a', 'sy-b']);
    const result = registry.inputRequired('b', call, (e as Extract<RoundEvent, { kind: 'input' }>).requests);
    expect(result).toMatchObject({ resultType: 'input_required', inputRequests: { 'sy-a': { method: 'sampling/createMessage' }, 'sy-b': { method: 'roots/list' } } });
    expect(verifyState(SECRET, 'b', result.requestState as string)).toMatchObject({ h: call.handle, n: 'tool', ids: ['sy-a', 'sy-b'] });
    expect(registry.get(call.handle)).toBe(call);
    upstream.finish({ jsonrpc: '2.0', id: 1, result: { content: [] } });
    expect(await call.next(() => undefined, new AbortController().signal)).toEqual({ kind: 'answer', answer: { jsonrpc: '2.0', id: 1, result: { content: [] } } });
    expect(registry.get(call.handle)).toBeUndefined();
  });

  it('a parked call is aborted after the bounded wait, and a round whose caller goes away aborts it too', async () => {
    const registry = new MrtrRegistry(SECRET, 30);
    const abort = new AbortController();
    const call = registry.open('tool', abort);
    const upstream = controllable();
    call.start(upstream.run);
    const round = call.next(() => undefined, new AbortController().signal);
    upstream.emit({ id: 'sy-a', method: 'elicitation/create', params: {} });
    await round;
    await new Promise((r) => setTimeout(r, 80));
    expect(abort.signal.aborted).toBe(true);
    expect(registry.size).toBe(0);

    const abort2 = new AbortController();
    const call2 = registry.open('tool', abort2);
    call2.start(controllable().run);
    const gone = new AbortController();
    const pending = call2.next(() => undefined, gone.signal);
    gone.abort(new Error('closed'));
    expect(abort2.signal.aborted).toBe(true);
    expect(registry.size).toBe(0);
    void pending;
  });
});
