import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import OpenAI from 'openai';
import { startMockProvider, type MockProvider } from '@switchyard/testing';
import { createAllInOne, INTERNAL_TRANSPORTS, type AllInOne } from '../../src/index.js';
import { ADMIN, admin, providersSection, rawChat, until } from './helpers.js';

// The whole gateway in one process, embedded defaults (PGlite, in-process bus), driven
// by the official openai client against the mock provider (a real HTTP server).
// Every test runs twice: services calling each other over gRPC on loopback (the default)
// and in process (SWITCHYARD_INTERNAL_TRANSPORT=in-process).
describe.each(INTERNAL_TRANSPORTS)('internal transport %s', (transport) => {
  let mock: MockProvider;
  let backup: MockProvider;
  let gw: AllInOne;
  let base: string;
  let client: OpenAI;
  let requestsMade = 0;

  beforeAll(async () => {
    mock = await startMockProvider({ keyFailures: { 'always-500': 500 } });
    backup = await startMockProvider();
    gw = await createAllInOne(
      { file: { llm_proxy: providersSection(mock, backup) }, source: undefined, services: ['edge', 'llm-proxy', 'governance', 'telemetry'], dataDir: 'memory://', internalTransport: transport },
      { LOG_LEVEL: 'warn', SWITCHYARD_ADMIN_TOKEN: ADMIN },
      { edge: { port: 0, body_limit_bytes: 64 * 1024 } },
    );
    base = gw.url!;
    client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'unused-while-no-keys-exist', maxRetries: 0 });
  });

  afterAll(async () => {
    await gw?.[Symbol.asyncDispose]();
    await mock?.close();
    await backup?.close();
  });

  const user = (content: string): OpenAI.ChatCompletionMessageParam[] => [{ role: 'user', content }];

  describe('embedded gateway with the openai client', () => {
    it('answers a chat completion through llm-proxy', async () => {
      const res = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: user('Hello there') });
      requestsMade++;
      expect(res.choices[0]?.message.content).toBe('Mock reply to: Hello there');
      expect(res.usage?.total_tokens).toBeGreaterThan(0);
      const upstream = mock.requests.at(-1)!;
      expect((upstream.body as { model: string }).model).toBe('gpt-4o-mini');
      expect(upstream.apiKey).toBe('good-key');
    });

    it('streams with usage when include_usage is asked', async () => {
      const stream = await client.chat.completions.create({
        model: 'openai/gpt-4o-mini', messages: user('mock: chunks=5\nStream me'), stream: true, stream_options: { include_usage: true },
      });
      requestsMade++;
      let text = '';
      let usage: OpenAI.CompletionUsage | undefined | null;
      let chunks = 0;
      for await (const chunk of stream) {
        chunks++;
        text += chunk.choices[0]?.delta?.content ?? '';
        if (chunk.usage) usage = chunk.usage;
      }
      expect(chunks).toBeGreaterThanOrEqual(5);
      expect(text).toMatch(/^Mock reply to: /);
      expect(text).toContain('Stream me');
      expect(usage?.completion_tokens).toBeGreaterThan(0);
    });

    it('passes tool calls through as suggestions, JSON and streamed', async () => {
      const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
      const res = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: user('mock: tool=get_weather args={"city":"Paris"}'), tools });
      requestsMade++;
      expect(res.choices[0]?.finish_reason).toBe('tool_calls');
      const call = res.choices[0]?.message.tool_calls?.[0];
      expect(call?.type === 'function' && call.function.name).toBe('get_weather');
      expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'Paris' });
      expect((mock.requests.at(-1)!.body as { tools: unknown[] }).tools).toHaveLength(1);

      const stream = client.chat.completions.stream({ model: 'openai/gpt-4o-mini', messages: user('mock: tool=get_weather args={"city":"Oslo"}'), tools });
      requestsMade++;
      const final = await stream.finalChatCompletion();
      const streamed = final.choices[0]?.message.tool_calls?.[0];
      expect(streamed?.type === 'function' && JSON.parse(streamed.function.arguments)).toEqual({ city: 'Oslo' });
    });

    it('retries a 429 and succeeds', async () => {
      const before = mock.requests.length;
      const res = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: user('mock: fail=429 count=2 scenario=retry429\nhi') });
      requestsMade++;
      expect(res.choices[0]?.message.content).toContain('Mock reply to');
      const attempts = mock.requests.slice(before).map((r) => r.status);
      expect(attempts).toEqual([429, 429, 200]);
    });

    it('falls back to the next target after the provider keeps failing', async () => {
      const before = mock.requests.length;
      const raw = await client.chat.completions.create({ model: 'flaky/gpt-4o-mini', messages: user('fallback please') }).withResponse();
      requestsMade++;
      expect(raw.data.choices[0]?.message.content).toBe('Mock reply to: fallback please');
      expect(raw.response.headers.get('x-switchyard-provider')).toBe('backup');
      expect(mock.requests.slice(before).map((r) => `${r.apiKey}:${r.status}`)).toEqual(['always-500:500', 'always-500:500']);
      expect(backup.requests.at(-1)?.apiKey).toBe('backup-key');
    });

    it('translates to and from Anthropic, JSON, streaming and tool calls', async () => {
      const res = await client.chat.completions.create({ model: 'anthropic/claude-sonnet-4-5', messages: [{ role: 'system', content: 'be brief' }, ...user('Bonjour')], max_tokens: 100 });
      requestsMade++;
      expect(res.choices[0]?.message.content).toBe('Mock reply to: Bonjour');
      expect(res.usage?.prompt_tokens).toBeGreaterThan(0);
      const upstream = mock.requests.at(-1)!;
      expect(upstream.api).toBe('anthropic');
      expect(upstream.body).toMatchObject({ model: 'claude-sonnet-4-5', system: 'be brief', max_tokens: 100 });

      const stream = await client.chat.completions.create({ model: 'anthropic/claude-sonnet-4-5', messages: user('mock: tool=lookup args={"q":"x"}'), stream: true, stream_options: { include_usage: true },
        tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }] });
      requestsMade++;
      let args = '';
      let name = '';
      let finish = '';
      let usage = 0;
      for await (const chunk of stream) {
        const tc = chunk.choices[0]?.delta?.tool_calls?.[0];
        if (tc?.function?.name) name = tc.function.name;
        args += tc?.function?.arguments ?? '';
        if (chunk.choices[0]?.finish_reason) finish = chunk.choices[0].finish_reason;
        if (chunk.usage) usage = chunk.usage.total_tokens;
      }
      expect({ name, args: JSON.parse(args), finish }).toEqual({ name: 'lookup', args: { q: 'x' }, finish: 'tool_calls' });
      expect(usage).toBeGreaterThan(0);
    });

    it('gives every bad input its clear error in the OpenAI envelope', async () => {
      const cases: Array<[string, number, RegExp, string | null]> = [
        ['{"model": "openai/gpt-4o-mini", "messages": [', 400, /not valid JSON/i, null],
        ['[1,2]', 400, /object/i, null],
        ['{"messages":[{"role":"user","content":"x"}]}', 400, /model/i, 'model'],
        ['{"model":"openai/gpt-4o-mini"}', 400, /messages/i, 'messages'],
        ['{"model":42,"messages":[{"role":"user","content":"x"}]}', 400, /model/i, 'model'],
        ['{"model":"openai/gpt-4o-mini","messages":"hi"}', 400, /messages/i, 'messages'],
        ['{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"x"}],"stream":"yes"}', 400, /stream/i, 'stream'],
        ['{"model":"nope/gpt","messages":[{"role":"user","content":"x"}]}', 400, /provider/i, 'model'],
        [JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(70 * 1024) }] }), 413, /too large|limit/i, null],
      ];
      for (const [body, status, message, param] of cases) {
        const r = await rawChat(base, body);
        requestsMade++;
        expect({ body: body.slice(0, 60), status: r.status }).toEqual({ body: body.slice(0, 60), status });
        expect(r.json.error?.message).toMatch(message);
        expect(r.json.error?.type).toBe('invalid_request_error');
        if (param) expect(r.json.error?.param).toBe(param);
      }
      await expect(client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [] })).rejects.toMatchObject({ status: 400 });
      requestsMade++;
    });

    it('runs without MCP when no mcp-connector runs here nor is named elsewhere', async () => {
      const res = await fetch(`${base}/v1/mcp/tool/execute`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'c1', type: 'function', function: { name: 'x-y', arguments: '{}' } }),
      });
      expect(res.status).toBe(404);
    });

    it('records an audit row for every request', async () => {
      const rows = await until(async () => {
        const { json } = await admin(base, 'GET', '/api/logs?limit=500');
        const data = json.data as Array<Record<string, unknown>>;
        return data.length >= requestsMade ? data : undefined;
      }, 5_000);
      expect(rows).toHaveLength(requestsMade);
      const fallback = rows.find((r) => r.model === 'flaky/gpt-4o-mini');
      expect(fallback).toMatchObject({ provider: 'backup', status: 200, kind: 'llm' });
      expect(rows.filter((r) => r.status === 400).length).toBeGreaterThanOrEqual(8);
      expect(rows.find((r) => r.status === 413)).toBeDefined();
      expect(rows.every((r) => typeof r.request_id === 'string' && (r.request_id as string).length > 0)).toBe(true);
    });

    it('accepts requests without a key until the first key exists, then requires one', async () => {
      const created = await admin(base, 'POST', '/api/keys', { name: 'e2e', allowed_models: ['openai/*'] });
      expect(created.status).toBe(201);
      const secret = created.json.key as string;
      expect(secret).toMatch(/^sk-sy-/);
      await until(async () => ((await rawChat(base, '{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"x"}]}')).status === 401 ? true : undefined), 2_000);
      const keyed = new OpenAI({ baseURL: `${base}/v1`, apiKey: secret, maxRetries: 0 });
      const ok = await keyed.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: user('with a key') });
      expect(ok.choices[0]?.message.content).toBe('Mock reply to: with a key');
      await expect(keyed.chat.completions.create({ model: 'anthropic/claude-sonnet-4-5', messages: user('x') })).rejects.toMatchObject({ status: 403, code: 'model_not_allowed' });
      const models = await keyed.models.list();
      expect(models.data.map((m) => m.id).every((id) => id.startsWith('openai/'))).toBe(true);
      expect((await admin(base, 'PATCH', `/api/keys/${created.json.id as string}`, { enabled: false })).status).toBe(200);
      await until(async () => (await keyed.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: user('x') }).then(() => undefined, (e: { status?: number }) => (e.status === 401 ? true : undefined))), 1_000);
    });
  });
});
