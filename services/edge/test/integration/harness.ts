import { randomBytes } from 'node:crypto';
import { MemoryBus, NatsBus, type Bus } from '@switchyard/bus';
import { createLogger, createRegistry, type Registry } from '@switchyard/obs';
import { STREAMS } from '@switchyard/proto';
import { createApp, loadEdgeConfig, type EdgeApp, type EdgeConfig } from '../../src/index.js';
import { startFakes, type FakeServers } from './fakes.js';

export const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
export const ADMIN_TOKEN = 'admin-secret-for-tests';

export type BusKind = 'nats' | 'memory';

export interface Harness {
  url: string;
  grpcPort: number;
  app: EdgeApp;
  config: EdgeConfig;
  registry: Registry;
  fakes: FakeServers;
  /** The test's own connection (same subject prefix as the edge). */
  bus: Bus;
  prefix: string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  bus?: BusKind;
  overrides?: Record<string, unknown>;
}

/** Fake gRPC servers + a real edge on free ports, isolated by a per-run subject prefix. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const kind = options.bus ?? 'nats';
  const prefix = `t_edge_${randomBytes(4).toString('hex')}`;
  const bus: Bus = kind === 'nats' ? await NatsBus.connect({ url: NATS_URL, prefix, name: 'edge-test' }) : new MemoryBus();
  const fakes = await startFakes(bus);
  const config = loadEdgeConfig({
    env: {},
    overrides: {
      port: 0,
      grpc: { port: 0 },
      admin_token: ADMIN_TOKEN,
      ...fakes.addrs,
      ...options.overrides,
      backends: {
        ...(kind === 'nats' ? { nats_url: NATS_URL, subject_prefix: prefix } : { subject_prefix: prefix }),
        ...(options.overrides?.backends as Record<string, unknown> | undefined),
      },
    },
  });
  const registry = createRegistry({ service: 'edge', defaultMetrics: false });
  const logger = createLogger({ service: 'edge', level: process.env.EDGE_TEST_LOG ?? 'silent' });
  const app = createApp(config, { logger, registry, ...(kind === 'memory' ? { bus } : {}) });
  const { port, grpcPort } = await app.start();
  return {
    url: `http://127.0.0.1:${port}`,
    grpcPort,
    app,
    config,
    registry,
    fakes,
    bus,
    prefix,
    close: async () => {
      await app[Symbol.asyncDispose]();
      await fakes.close();
      if (bus instanceof NatsBus) {
        await bus.deleteStream(STREAMS.audit);
        await bus.deleteStream(STREAMS.usage).catch(() => undefined);
      }
      await bus[Symbol.asyncDispose]();
    },
  };
}

type Truthy<T> = Exclude<T, undefined | null | false | 0 | ''>;

/** Polls until `probe` returns something truthy (and returns it). */
export async function waitFor<T>(probe: () => T | Promise<T>, timeoutMs = 5_000, intervalMs = 20): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as Truthy<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`waitFor timed out${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: { error?: { message: string; type: string; param: string | null; code: string | null } } & Record<string, unknown>;
}

export async function call(url: string, init: RequestInit = {}): Promise<Reply> {
  const res = await fetch(url, init);
  const text = await res.text();
  let json: Reply['json'] = {};
  try {
    json = text ? (JSON.parse(text) as Reply['json']) : {};
  } catch {
    json = {};
  }
  return { status: res.status, headers: res.headers, text, json };
}

export function chat(base: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return call(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export const HELLO = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
