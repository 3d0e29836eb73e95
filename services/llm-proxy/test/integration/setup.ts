import { createLogger } from '@switchyard/obs';
import { createClient, llmproxy, type GrpcClient } from '@switchyard/proto';
import { startMockProvider, type MockProvider, type RecordedRequest } from '@switchyard/testing';
import { createApp, type LlmProxyApp } from '../../src/app.js';
import { loadLlmProxyConfig } from '../../src/config.js';
import { startRelay, type Relay } from './relay.js';

export interface Harness extends AsyncDisposable {
  mock: MockProvider;
  relay: Relay;
  app: LlmProxyApp;
  grpc: GrpcClient<typeof llmproxy.LlmProxyService>;
  client: GrpcClient<typeof llmproxy.LlmProxyService>['client'];
  opsUrl: string;
  sleeps: number[];
  /** Recorded upstream requests whose messages name this scenario. */
  requestsFor(scenario: string): RecordedRequest[];
}

/** The OpenAI shapes the tests read. */
export interface ToolCall {
  index?: number;
  id?: string;
  type?: string;
  function: { name?: string; arguments?: string };
}
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}
export interface Chunk {
  object: string;
  choices: { index: number; delta: { role?: string; content?: string | null; tool_calls?: ToolCall[] }; finish_reason: string | null }[];
  usage?: Usage;
}
export interface Completion {
  object: string;
  choices: { message: { role: string; content: string | null; tool_calls?: ToolCall[] }; finish_reason: string | null }[];
  usage: Usage;
}

const enc = new TextEncoder();
export const body = (value: unknown): Uint8Array => enc.encode(JSON.stringify(value));
export const dec = (bytes: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(bytes));

/** Boots llm-proxy on free ports against the real mock provider (and a relay to watch connections). */
export async function startHarness(): Promise<Harness> {
  const mock = await startMockProvider({ keyFailures: { 'sk-dead': 401, 'sk-forbidden': 403 } });
  const relay = await startRelay(mock.port);
  const fast = { retry_backoff_initial_ms: 5, retry_backoff_max_ms: 20, max_retries: 2 };
  const config = loadLlmProxyConfig({
    env: {},
    overrides: {
      grpc: { port: 0 },
      ops: { port: 0 },
      observability: { log_level: 'silent' },
      shutdown_grace_ms: 2_000,
      providers: [
        { id: 'openai', kind: 'openai', base_url: `${mock.url}/v1`, keys: [{ name: 'k1', value: 'sk-oa-1' }, { name: 'k2', value: 'sk-oa-2' }], models: ['gpt-4o', 'gpt-4o-mini'], ...fast },
        { id: 'anthropic', kind: 'anthropic', base_url: mock.url, keys: [{ name: 'main', value: 'sk-ant-1' }], models: ['claude-sonnet-4-5'], ...fast },
        // Backoff of seconds: a test that finishes fast proves that no backoff happened.
        { id: 'keyring', kind: 'openai', base_url: `${mock.url}/v1`, keys: [{ name: 'dead', value: 'sk-dead' }, { name: 'forbidden', value: 'sk-forbidden' }, { name: 'good', value: 'sk-good' }], retry_backoff_initial_ms: 3_000, retry_backoff_max_ms: 3_000 },
        { id: 'slow', kind: 'openai', base_url: `${relay.url}/v1`, keys: [{ name: 'k', value: 'sk-slow' }], timeout_ms: 300, max_retries: 0 },
      ],
      fallbacks: { 'openai/needs-fallback': ['anthropic/claude-sonnet-4-5'] },
    },
  });
  const sleeps: number[] = [];
  const app = createApp(config, {
    logger: createLogger({ service: 'llm-proxy', level: 'silent' }),
    random: () => 0, // the first eligible key; jitter 0.8
    sleep: async (ms, signal) => {
      sleeps.push(ms);
      await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20)));
      if (signal.aborted) throw signal.reason;
    },
  });
  const { grpcPort, opsPort } = await app.start();
  const grpc = createClient(llmproxy.LlmProxyService, `127.0.0.1:${grpcPort}`);
  await grpc.waitForReady(5_000);
  return {
    mock,
    relay,
    app,
    grpc,
    client: grpc.client,
    opsUrl: `http://127.0.0.1:${opsPort}`,
    sleeps,
    requestsFor: (scenario) => mock.requests.filter((r) => JSON.stringify(r.body).includes(`scenario=${scenario}`)),
    async [Symbol.asyncDispose]() {
      grpc.close();
      await app[Symbol.asyncDispose]();
      await relay[Symbol.asyncDispose]();
      await mock.close();
    },
  };
}
