import type { IncomingHttpHeaders } from 'node:http';

/** One tool call the mock model makes. `arguments` is serialised with JSON.stringify. */
export interface MockToolCall {
  name: string;
  arguments: unknown;
}

/** One step of a scripted scenario: what the mock model answers to the next request that names the scenario. */
export interface MockStep {
  reply?: string;
  toolCalls?: MockToolCall[];
  /** Answer with this error status, in the provider's error envelope. */
  status?: number;
  latencyMs?: number;
  /** Never answer (until the client gives up). */
  hang?: boolean;
  /** Destroy the connection (mid-stream when streaming, else before answering). */
  drop?: boolean;
}

export type MockApi = 'openai' | 'anthropic' | 'other';

export interface RecordedRequest {
  method: string;
  /** Path and query, as received. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (undefined when there was none or it was not JSON). */
  body: unknown;
  /** Date.now() when the request arrived. */
  time: number;
  api: MockApi;
  /** The key the client sent (Bearer token or x-api-key). */
  apiKey?: string;
  /** The scenario the request named, and the index of the step it consumed. */
  scenario?: string;
  step?: number;
  /** The status the mock decided to answer with (0 for hang and drop). */
  status?: number;
}

export interface MockProviderOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Delay before every answer, unless a directive or step says otherwise. Default 0. */
  latencyMs?: number;
  /** If set, any other key gets 401. */
  validKeys?: string[];
  /** Keys that always answer this status, e.g. `{ 'bad-key': 401, 'limited-key': 429 }`. */
  keyFailures?: Record<string, number>;
  /** Record requests in `requests`. Default true; turn off for load tests. */
  record?: boolean;
  /** Keep at most about this many recorded requests (oldest dropped). Default 10000. */
  maxRecorded?: number;
}

export interface MockProvider extends AsyncDisposable {
  /** e.g. `http://127.0.0.1:41234` (no trailing slash, no /v1). */
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Set the steps of scenario `id` (and restart it at step 0). */
  script(id: string, steps: MockStep[]): void;
  /** Forget recorded requests, scripts and fail counters. */
  reset(): void;
  close(): Promise<void>;
}
