// What the harness measures: the mock provider itself (the baseline), the bare
// proxy (the ceiling), Switchyard all-in-one, Switchyard split, and Portkey.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from './procs.js';

export interface ProcSpec {
  name: string;
  /** entry script, relative to the repository root */
  entry: string;
  args: string[];
  env: Record<string, string>;
  /** polled until it answers; ok2xx: only a 2xx counts as ready */
  readyUrl: string;
  ok2xx: boolean;
}

export interface Target {
  id: string;
  label: string;
  /** full URL of POST /v1/chat/completions on the target */
  url: string;
  model: string;
  headers: string[];
  procs: ProcSpec[];
  /** also run the sustained phase (--sustain) */
  sustain: boolean;
}

export const MOCK_ENTRY = 'packages/testing/dist/mock-provider/main.js';
export const ALL_TARGETS = ['mock', 'bare', 'switchyard', 'switchyard-inprocess', 'switchyard-split', 'portkey', 'switchyard-baseline'] as const;
export type TargetId = (typeof ALL_TARGETS)[number];

const LABELS: Record<TargetId, string> = {
  mock: 'mock (baseline)',
  bare: 'bare node:http+undici',
  switchyard: 'switchyard all-in-one',
  'switchyard-inprocess': 'switchyard all-in-one, in-process calls',
  'switchyard-split': 'switchyard split',
  portkey: 'portkey gateway',
  'switchyard-baseline': 'switchyard all-in-one, baseline build',
};

/**
 * Another checkout's built tree (`--baseline <dir>`): its all-in-one runs as the
 * `switchyard-baseline` target, so a change and what it replaces are measured in one run.
 */
let baselineRoot: string | undefined;
export function setBaselineRoot(dir: string | undefined): void {
  baselineRoot = dir === undefined ? undefined : resolve(dir);
}
export const targetLabel = (id: TargetId): string => LABELS[id];

const JSON_HEADER = 'Content-Type: application/json';
/** the mock wants a bearer key, like OpenAI; the bare proxy passes it through */
const MOCK_AUTH = 'Authorization: Bearer mock-key';

export function mockProc(port: number): ProcSpec {
  return {
    name: 'mock-provider',
    entry: MOCK_ENTRY,
    args: ['--port', String(port), '--no-record'],
    env: {},
    readyUrl: `http://127.0.0.1:${port}/`,
    ok2xx: false,
  };
}

/** The environment every Switchyard process gets: embedded mode, the mock as OpenAI. */
function switchyardEnv(mockPort: number, dataDir: string): Record<string, string> {
  mkdirSync(dataDir, { recursive: true });
  return {
    OPENAI_API_KEY: 'mock-key',
    OPENAI_BASE_URL: `http://127.0.0.1:${mockPort}/v1`,
    LOG_LEVEL: 'warn',
    SWITCHYARD_DATA_DIR: dataDir,
  };
}

/** Free ports for the internal listeners, so that nothing collides with the defaults. */
export async function internalPorts(services: readonly string[]): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const s of services) {
    env[`SWITCHYARD_${s}_GRPC_PORT`] = String(await freePort());
    if (s !== 'EDGE') env[`SWITCHYARD_${s}_OPS_PORT`] = String(await freePort());
  }
  return env;
}

export async function buildTarget(id: TargetId, mockPort: number, tmpDir: string): Promise<Target> {
  const mockChat = `http://127.0.0.1:${mockPort}/v1/chat/completions`;
  if (id === 'mock') {
    return { id, label: LABELS.mock, url: mockChat, model: 'gpt-4o-mini', headers: [JSON_HEADER, MOCK_AUTH], procs: [], sustain: true };
  }
  const port = await freePort();
  const chat = `http://127.0.0.1:${port}/v1/chat/completions`;
  if (id === 'bare') {
    return {
      id, label: LABELS.bare, url: chat, model: 'gpt-4o-mini', headers: [JSON_HEADER, MOCK_AUTH], sustain: false,
      procs: [{
        name: 'bare-proxy', entry: 'loadtest/dist/bare-proxy.js',
        args: ['--port', String(port), '--upstream', `http://127.0.0.1:${mockPort}`],
        env: {}, readyUrl: `http://127.0.0.1:${port}/`, ok2xx: false,
      }],
    };
  }
  if (id === 'portkey') {
    return {
      id, label: LABELS.portkey, url: chat, model: 'gpt-4o-mini', sustain: false,
      headers: [
        JSON_HEADER,
        'x-portkey-provider: openai',
        `x-portkey-custom-host: http://127.0.0.1:${mockPort}/v1`,
        MOCK_AUTH,
      ],
      procs: [{
        name: 'portkey', entry: 'node_modules/@portkey-ai/gateway/build/start-server.js',
        args: [`--port=${port}`, '--headless'],
        env: {}, readyUrl: `http://127.0.0.1:${port}/`, ok2xx: false,
      }],
    };
  }
  const aio = 'services/all-in-one/dist/main.js';
  const edgeEnv = { SWITCHYARD_EDGE_PORT: String(port) };
  if (id === 'switchyard' || id === 'switchyard-inprocess' || id === 'switchyard-baseline') {
    const inProcess = id === 'switchyard-inprocess';
    const baseline = id === 'switchyard-baseline';
    // Without --baseline the target has no entry: reported as skipped (not built).
    const entry = baseline ? (baselineRoot ? join(baselineRoot, aio) : 'no --baseline given') : aio;
    return {
      id, label: LABELS[id], url: chat, model: 'openai/gpt-4o-mini', headers: [JSON_HEADER], sustain: !baseline,
      procs: [{
        name: 'all-in-one', entry, args: [],
        env: {
          ...switchyardEnv(mockPort, join(tmpDir, `data-${id}`)),
          SWITCHYARD_INTERNAL_TRANSPORT: inProcess ? 'in-process' : 'grpc',
          ...(await internalPorts(['EDGE', 'LLM_PROXY', 'GOVERNANCE', 'TELEMETRY'])),
          ...edgeEnv,
        },
        readyUrl: `http://127.0.0.1:${port}/readyz`, ok2xx: true,
      }],
    };
  }
  const grpc = await freePort();
  const ops = await freePort();
  const env = switchyardEnv(mockPort, join(tmpDir, 'data-split'));
  return {
    id, label: LABELS['switchyard-split'], url: chat, model: 'openai/gpt-4o-mini', headers: [JSON_HEADER], sustain: false,
    procs: [
      {
        name: 'llm-proxy', entry: 'services/llm-proxy/dist/main.js', args: [],
        env: { ...env, SWITCHYARD_LLM_PROXY_GRPC_PORT: String(grpc), SWITCHYARD_LLM_PROXY_OPS_PORT: String(ops) },
        readyUrl: `http://127.0.0.1:${ops}/readyz`, ok2xx: true,
      },
      {
        name: 'edge+governance+telemetry', entry: aio, args: [],
        env: {
          ...env,
          ...(await internalPorts(['EDGE', 'GOVERNANCE', 'TELEMETRY'])),
          ...edgeEnv,
          SWITCHYARD_SERVICES: 'edge,governance,telemetry',
          SWITCHYARD_EDGE_LLM_PROXY_ADDR: `127.0.0.1:${grpc}`,
        },
        readyUrl: `http://127.0.0.1:${port}/readyz`, ok2xx: true,
      },
    ],
  };
}

/** Entries that are not built yet; empty if the target can run. */
export function missingEntries(target: Target, root: string): string[] {
  return target.procs.map((p) => p.entry).filter((e) => !existsSync(resolve(root, e)));
}

/** A small OpenAI chat request (~300 bytes, two messages). */
export function chatBody(model: string, stream: boolean): string {
  const body: Record<string, unknown> = {
    model,
    messages: [
      { role: 'system', content: 'You are a concise assistant for a logistics company. Answer in one short paragraph.' },
      { role: 'user', content: 'Which rail yard should the 07:40 freight from Rotterdam switch to if track 4 is closed?' },
    ],
    max_tokens: 64,
    temperature: 0.2,
  };
  if (stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return JSON.stringify(body);
}
