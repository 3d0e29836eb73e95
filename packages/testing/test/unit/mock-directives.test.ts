import { describe, expect, it } from 'vitest';
import { DirectiveError, tokenize } from '../../src/mock-provider/directives.js';
import { startMockProvider } from '../../src/mock-provider/index.js';
import { splitText } from '../../src/mock-provider/sse.js';
import { chat, json, parseSse, user, type OpenAiChunk, type OpenAiCompletion, type OpenAiError } from './helpers.js';

const content = async (res: Response): Promise<string | null | undefined> =>
  (await json<OpenAiCompletion>(res)).choices[0]?.message.content;

describe('directive syntax', () => {
  it('tokenizes bare words, quoted strings, JSON values and flags', () => {
    expect(tokenize('reply="hello \\"world\\"" tool=a args={"x": "y z", "n": [1, {"}": 2}]} hang latency=5')).toEqual([
      ['reply', '"hello \\"world\\""'],
      ['tool', 'a'],
      ['args', '{"x": "y z", "n": [1, {"}": 2}]}'],
      ['hang', undefined],
      ['latency', '5'],
    ]);
    expect(() => tokenize('args={"x": 1')).toThrow(DirectiveError);
    expect(() => tokenize('=5')).toThrow(DirectiveError);
  });

  it('splits text into n pieces that rejoin, without splitting surrogate pairs', () => {
    expect(splitText('abcdefghij', 3)).toEqual(['abcd', 'efgh', 'ij']);
    expect(splitText('ab', 5)).toEqual(['a', 'b']);
    const emoji = 'a😀b😀c😀';
    const pieces = splitText(emoji, 4);
    expect(pieces.join('')).toBe(emoji);
    expect(pieces.every((p) => !/[\ud800-\udbff]$/.test(p))).toBe(true);
  });
});

describe('mock provider directives', () => {
  it('reply= sets the text, quoted or bare, from any message or from x-mock-reply', async () => {
    await using mock = await startMockProvider();
    const body = {
      model: 'm',
      messages: [
        { role: 'system', content: 'You are helpful.\nmock: reply="Bonjour, le monde"' },
        { role: 'user', content: 'hi' },
      ],
    };
    expect(await content(await chat(mock.url, body))).toBe('Bonjour, le monde');
    expect(await content(await chat(mock.url, user('mock: reply=bare')))).toBe('bare');
    expect(await content(await chat(mock.url, user('hi'), { 'x-mock-reply': 'from a header' }))).toBe('from a header');
    expect(await content(await chat(mock.url, user('hi'), { 'x-mock': 'reply="whole line header"' }))).toBe('whole line header');
  });

  it('ignores directive lines when building the default reply, and reads content parts', async () => {
    await using mock = await startMockProvider();
    const body = { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'Question here\nmock: latency=0' }] }] };
    expect(await content(await chat(mock.url, body))).toBe('Mock reply to: Question here');
  });

  it('status= answers that status in the envelope; unknown keys are a 400', async () => {
    await using mock = await startMockProvider();
    const res = await chat(mock.url, user('mock: status=503'));
    expect(res.status).toBe(503);
    expect((await json<OpenAiError>(res)).error.type).toBe('server_error');
    const bad = await chat(mock.url, user('mock: stauts=503'));
    expect(bad.status).toBe(400);
    expect((await json<OpenAiError>(bad)).error.message).toMatch(/unknown directive key "stauts"/);
  });

  it('fail= count= fails the first n requests, counted per scenario or per directive text', async () => {
    await using mock = await startMockProvider();
    const statuses = async (text: string, n: number): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const res = await chat(mock.url, user(text));
        await res.text();
        out.push(res.status);
      }
      return out;
    };
    expect(await statuses('mock: fail=429 count=2 scenario=s1', 4)).toEqual([429, 429, 200, 200]);
    expect(await statuses('mock: fail=500 count=1', 2)).toEqual([500, 200]);
    expect(await statuses('other text\nmock: fail=500 count=1', 1)).toEqual([200]);
    expect(await statuses('mock: fail=500 count=1 scenario=s2', 2)).toEqual([500, 200]);
    mock.reset();
    expect(await statuses('mock: fail=500 count=1', 1)).toEqual([500]);
  });

  it('latency= delays the answer; the latencyMs option delays every answer', async () => {
    await using mock = await startMockProvider();
    let t0 = performance.now();
    await (await chat(mock.url, user('mock: latency=600'))).text();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(590);
    t0 = performance.now();
    await (await chat(mock.url, user('fast'))).text();
    expect(performance.now() - t0).toBeLessThan(500); // no delay: well under the 600 ms one
    await using slow = await startMockProvider({ latencyMs: 120 });
    t0 = performance.now();
    await (await chat(slow.url, user('x'))).text();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(110);
  });

  it('hang never answers until the client aborts, and close() still returns', async () => {
    await using mock = await startMockProvider();
    const t0 = performance.now();
    await expect(chat(mock.url, user('mock: hang'), {}, AbortSignal.timeout(200))).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
    expect(mock.requests[0]?.status).toBe(0);
    const pending = chat(mock.url, user('x'), { 'x-mock-hang': 'true' });
    pending.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    const closing = performance.now();
    await mock.close();
    expect(performance.now() - closing).toBeLessThan(1000);
    await expect(pending).rejects.toThrow();
  });

  it('drop destroys the connection: before answering, or mid-stream', async () => {
    await using mock = await startMockProvider();
    await expect(chat(mock.url, user('mock: drop'))).rejects.toThrow(/fetch failed/);
    const res = await chat(mock.url, { ...user('mock: drop chunks=8'), stream: true });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    const half = await chat(mock.url, user('mock: drop=mid'));
    await expect(half.text()).rejects.toThrow();
  });

  it('chunks= sets the number of streamed content deltas; interval= spaces them out', async () => {
    await using mock = await startMockProvider();
    const t0 = performance.now();
    const res = await chat(mock.url, { ...user('mock: reply="one two three four five six" chunks=6 interval=20'), stream: true });
    const chunks = parseSse(await res.text())
      .slice(0, -1)
      .map((e) => JSON.parse(e.data) as OpenAiChunk);
    const deltas = chunks.map((c) => c.choices[0]?.delta.content).filter((c) => typeof c === 'string' && c !== '');
    expect(deltas.length).toBe(6);
    expect(deltas.join('')).toBe('one two three four five six');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(8 * 20 - 10);
  });
});

describe('scripted scenarios', () => {
  it('each request naming the scenario takes the next step, and the last step repeats', async () => {
    await using mock = await startMockProvider();
    mock.script('agent', [
      { toolCalls: [{ name: 'search', arguments: { q: 'x' } }] },
      { status: 500 },
      { reply: 'done', latencyMs: 50 },
    ]);
    const ask = (): Promise<Response> => chat(mock.url, user('mock: scenario=agent'));
    const first = await json<OpenAiCompletion>(await ask());
    expect(first.choices[0]?.message.tool_calls?.[0]?.function).toEqual({ name: 'search', arguments: '{"q":"x"}' });
    expect((await ask()).status).toBe(500);
    expect(await content(await ask())).toBe('done');
    expect(await content(await ask())).toBe('done');
    expect(mock.requests.map((r) => r.step)).toEqual([0, 1, 2, 2]);
    mock.script('agent', [{ reply: 'again' }]);
    expect(await content(await ask())).toBe('again');
  });

  it('a scripted hang step hangs', async () => {
    await using mock = await startMockProvider();
    mock.script('h', [{ hang: true }]);
    await expect(chat(mock.url, user('mock: scenario=h'), {}, AbortSignal.timeout(100))).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});

describe('control API', () => {
  it('scripts scenarios, lists requests and resets over HTTP', async () => {
    await using mock = await startMockProvider();
    const post = (path: string, body?: unknown): Promise<Response> =>
      fetch(`${mock.url}${path}`, { method: 'POST', body: body === undefined ? null : JSON.stringify(body) });
    const scripted = await post('/_mock/scripts', { id: 'remote', steps: [{ reply: 'scripted over http' }] });
    expect(scripted.status).toBe(200);
    expect(await content(await chat(mock.url, user('mock: scenario=remote')))).toBe('scripted over http');
    const listed = await json<{ path: string; scenario?: string; step?: number }[]>(await fetch(`${mock.url}/_mock/requests`));
    expect(listed).toEqual([expect.objectContaining({ path: '/v1/chat/completions', scenario: 'remote', step: 0 })]);
    expect((await post('/_mock/scripts', { id: 'bad', steps: [{ status: 'x' }] })).status).toBe(400);
    expect((await post('/_mock/reset')).status).toBe(200);
    expect(mock.requests).toEqual([]);
    expect(await content(await chat(mock.url, user('mock: scenario=remote')))).toBe('Mock reply to: ');
  });
});
