// The internal hop alone: CPU per unary call of a grpc-js client and server in one
// process (what the all-in-one pays for every edge -> llm-proxy or edge -> mcp-connector
// call), raw grpc-js and through @switchyard/proto's adapter, over TCP loopback and a
// Unix domain socket. Each variant runs in its own child process, the variants take
// turns round by round, and the figure is process.cpuUsage() over a fixed number of
// calls: CPU time does not depend on what else the machine is doing the way latency does.
//
//   node loadtest/dist/bench-grpc.js [--calls 20000] [--concurrency 16] [--rounds 3] [--variants raw-tcp,adapter-uds]
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import * as proto from '@switchyard/proto';
import { CHANNEL_OPTIONS } from '@switchyard/proto';

const VARIANTS = ['raw-tcp', 'raw-uds', 'adapter-tcp', 'adapter-uds', 'in-process', 'baseline-tcp'] as const;
type Variant = (typeof VARIANTS)[number];

const { values: args } = parseArgs({
  options: {
    calls: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '3' },
    variants: { type: 'string', default: VARIANTS.join(',') },
    child: { type: 'string' },
    baseline: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  console.log(`usage: node loadtest/dist/bench-grpc.js [options]
  --calls 20000        measured calls per variant and round (after 2,000 warm-up calls)
  --concurrency 16     calls in flight
  --rounds 3           variants take turns; the table shows the median
  --variants ${VARIANTS.join(',')}
  --baseline <dir>     another built checkout: baseline-tcp is adapter-tcp with its @switchyard/proto`);
  process.exit(0);
}

/** A request and response the size of a small chat completion. */
const REQUEST_BODY = Buffer.from(JSON.stringify({ model: 'mock/gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello in one short sentence, please.' }], max_tokens: 32 }));
const RESPONSE_BODY = Buffer.from(JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there, nice to meet you!' }, finish_reason: 'stop' }], usage: { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 } }));

interface Measured { variant: Variant; calls: number; cpuUs: number; wallMs: number }

type Call = () => Promise<unknown>;

async function drive(call: Call, calls: number, concurrency: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < calls) {
      next += 1;
      await call();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

const identity = (b: Buffer): Buffer => b;

async function rawSetup(address: string): Promise<{ call: Call; close: () => void }> {
  const server = new grpc.Server(CHANNEL_OPTIONS);
  server.register('/bench.Echo/Echo', (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, RESPONSE_BODY), identity, identity, 'unary');
  const port = await new Promise<number>((resolve, reject) => server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  const target = address.startsWith('unix:') ? address : `127.0.0.1:${port}`;
  const client = new grpc.Client(target, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
  const call: Call = () => new Promise((resolve, reject) => {
    client.makeUnaryRequest('/bench.Echo/Echo', identity, identity, REQUEST_BODY, new grpc.Metadata(), { deadline: Date.now() + 30_000 }, (err, v) => (err ? reject(err) : resolve(v)));
  });
  return { call, close: () => { client.close(); server.forceShutdown(); } };
}

async function adapterSetup(host: string, lib: typeof proto = proto): Promise<{ call: Call; close: () => void }> {
  const { createClient, implementService, llmproxy, startGrpcServer } = lib;
  const impl = implementService(llmproxy.LlmProxyService, {
    async createChatCompletion() { return { body: RESPONSE_BODY, outcome: { provider: 'mock', model: 'gpt-4o-mini', attempts: 1 } }; },
    async *streamChatCompletion() { /* not measured */ },
    async listModels() { return { body: new Uint8Array() }; },
  });
  const handle = await startGrpcServer([{ service: llmproxy.LlmProxyService, implementation: impl }], host, 0);
  const { client, close } = createClient(llmproxy.LlmProxyService, handle.address ?? `${host}:${handle.port}`);
  const controller = new AbortController();
  // As the edge calls llm-proxy: the request's signal and a deadline.
  const call: Call = () => client.createChatCompletion({ context: { requestId: 'req-1', keyId: 'key-1' }, body: REQUEST_BODY, timeoutMs: 30_000 }, { signal: controller.signal, timeoutMs: 30_500 });
  return { call, close: () => { close(); void handle.shutdown(0); } };
}

async function runChild(variant: Variant): Promise<void> {
  const calls = Number(args.calls);
  const concurrency = Number(args.concurrency);
  const dir = mkdtempSync(join(tmpdir(), 'sy-grpc-'));
  const sock = `unix:${join(dir, 's.sock')}`;
  if (variant === 'in-process') proto.useInProcessCalls(true);
  const baseline = variant === 'baseline-tcp' ? (await import(join(String(args.baseline), 'packages/proto/dist/index.js'))) as typeof proto : undefined;
  const setup = variant === 'raw-tcp' ? await rawSetup('127.0.0.1:0')
    : variant === 'raw-uds' ? await rawSetup(sock)
    : variant === 'adapter-uds' ? await adapterSetup(sock)
    : await adapterSetup('127.0.0.1', baseline);
  await drive(setup.call, 2_000, concurrency);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await drive(setup.call, calls, concurrency);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  setup.close();
  rmSync(dir, { recursive: true, force: true });
  const result: Measured = { variant, calls, cpuUs: cpu.user + cpu.system, wallMs };
  process.send?.(result);
}

function runVariant(variant: Variant): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child', variant, '--calls', String(args.calls), '--concurrency', String(args.concurrency), ...(args.baseline ? ['--baseline', args.baseline] : [])], { stdio: 'inherit' });
    let result: Measured | undefined;
    child.on('message', (m) => { result = m as Measured; });
    child.on('exit', (code) => (result ? resolve(result) : reject(new Error(`${variant}: exited with ${code}`))));
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  if (args.child) return runChild(args.child as Variant);
  const variants = String(args.variants).split(',').filter(Boolean) as Variant[];
  for (const v of variants) if (!VARIANTS.includes(v)) throw new Error(`unknown variant ${v}`);
  const per: Record<string, Measured[]> = {};
  const load0 = loadavg()[0] ?? 0;
  for (let r = 0; r < Number(args.rounds); r++) {
    for (const v of variants) (per[v] ??= []).push(await runVariant(v));
  }
  console.log(`grpc hop: ${args.calls} calls x ${args.rounds} rounds, ${args.concurrency} in flight; load average ${load0.toFixed(2)} -> ${(loadavg()[0] ?? 0).toFixed(2)}`);
  console.log('| variant | CPU µs/call (median) | all rounds | wall µs/call (median) |');
  console.log('| --- | ---: | --- | ---: |');
  for (const v of variants) {
    const rows = per[v] ?? [];
    const cpu = rows.map((m) => m.cpuUs / m.calls);
    const wall = rows.map((m) => (m.wallMs * 1000) / m.calls);
    console.log(`| ${v} | ${median(cpu).toFixed(0)} | ${cpu.map((x) => x.toFixed(0)).join(' / ')} | ${median(wall).toFixed(0)} |`);
  }
}

await main();
