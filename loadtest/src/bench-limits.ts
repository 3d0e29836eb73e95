// The cost of budgets and rate limits on the chat hot path, in one run: the same
// Switchyard process (all-in-one, in-process calls, counters in Redis) and the same
// request, sent with a key that has no limits and with a key that carries a budget and
// a rate limit (one Redis round trip before the call, one settle after). Rounds
// alternate the two keys so that drift on a shared machine hits both alike.
//
//   node loadtest/dist/bench-limits.js [--rate 1000] [--duration 10] [--rounds 3] [--redis redis://127.0.0.1:6379]
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { buildLoadgen } from './lib/loadgen.js';
import { measurePhase, readMemory, settle, smokeTest, startProc, startTarget, stopAll, type StartContext } from './lib/measure.js';
import { freePort, httpRequest, installExitHandlers } from './lib/procs.js';
import { buildReport, writeResults, type TargetResult } from './lib/report.js';
import { renderMarkdown, renderText } from './lib/table.js';
import { chatBody, mockProc, type Target } from './lib/targets.js';

const loadtestDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = resolve(loadtestDir, '..');
const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '3' },
    redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    out: { type: 'string', default: join(loadtestDir, 'results') },
  },
});
const opts = {
  rate: Number(args.rate), durationS: Number(args.duration), warmupS: Number(args.warmup),
  connections: Number(args.connections), rounds: Number(args.rounds), redis: args.redis ?? '',
};
const ADMIN = `bench-${randomBytes(8).toString('hex')}`;
const prefix = `bench:limits:${randomBytes(4).toString('hex')}:`;
const log = (msg: string): void => console.log(`[bench-limits] ${msg}`);
const stamp = new Date().toISOString().replace(/:/g, '').replace(/\.\d+Z$/, 'Z');
const tmp = mkdtempSync(join(tmpdir(), 'switchyard-bench-limits-'));
installExitHandlers(() => rmSync(tmp, { recursive: true, force: true }));

async function adminPost(base: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const reply = await httpRequest(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (reply.status !== 201) throw new Error(`${path}: HTTP ${reply.status} ${reply.body}`);
  return JSON.parse(reply.body) as Record<string, unknown>;
}

async function main(): Promise<void> {
  const outDir = resolve(args.out ?? join(loadtestDir, 'results'));
  mkdirSync(outDir, { recursive: true });
  const basePath = join(outDir, `limits-${stamp}`);
  const logFd = openSync(`${basePath}.raw`, 'a');
  const bin = buildLoadgen(loadtestDir);
  const ctx: StartContext = { root, logFd, readyTimeoutMs: 60_000 };
  const mockPort = await freePort();
  const mock = await startProc(mockProc(mockPort), ctx);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = join(tmp, 'data');
  mkdirSync(dataDir, { recursive: true });
  const env: Record<string, string> = {
    OPENAI_API_KEY: 'mock-key', OPENAI_BASE_URL: `http://127.0.0.1:${mockPort}/v1`, LOG_LEVEL: 'warn', SWITCHYARD_DATA_DIR: dataDir,
    SWITCHYARD_INTERNAL_TRANSPORT: 'in-process', SWITCHYARD_EDGE_PORT: String(port), SWITCHYARD_EDGE_AUTH: 'required',
    SWITCHYARD_ADMIN_TOKEN: ADMIN, REDIS_URL: opts.redis, SWITCHYARD_EDGE_LIMITS_REDIS_KEY_PREFIX: prefix,
  };
  for (const s of ['EDGE', 'LLM_PROXY', 'GOVERNANCE', 'TELEMETRY']) {
    env[`SWITCHYARD_${s}_GRPC_PORT`] = String(await freePort());
    if (s !== 'EDGE') env[`SWITCHYARD_${s}_OPS_PORT`] = String(await freePort());
  }
  const proc = { name: 'all-in-one', entry: 'services/all-in-one/dist/main.js', args: [], env, readyUrl: `${base}/readyz`, ok2xx: true };
  const started = await startTarget({ id: 'switchyard', label: 'switchyard', url: '', model: '', headers: [], procs: [proc], sustain: false }, ctx);
  try {
    const plain = await adminPost(base, '/api/keys', { name: 'no limits' });
    const governed = await adminPost(base, '/api/keys', { name: 'budget and rate limit' });
    await adminPost(base, '/api/budgets', { entity_kind: 'key', entity_id: governed.id, max_limit: 1_000_000, reset_duration: '1d' });
    await adminPost(base, '/api/rate-limits', { entity_kind: 'key', entity_id: governed.id, unit: 'requests', max_limit: 1_000_000_000, reset_duration: '1m' });
    const variants = [
      { id: 'plain', label: 'key without limits', secret: String(plain.key) },
      { id: 'governed', label: 'key with a budget and a rate limit', secret: String(governed.key) },
    ];
    const body = chatBody('openai/gpt-4o-mini', false);
    const bodyFile = join(tmp, 'body.json');
    writeFileSync(bodyFile, body);
    const results = new Map<string, TargetResult>(variants.map((v) => [v.id, { id: v.id, label: v.label, status: 'ok', rounds: [] }]));
    for (let round = 1; round <= opts.rounds; round++) {
      for (const v of round % 2 === 1 ? variants : [...variants].reverse()) {
        const target: Target = { id: v.id, label: v.label, url: `${base}/v1/chat/completions`, model: 'openai/gpt-4o-mini', headers: ['Content-Type: application/json', `Authorization: Bearer ${v.secret}`], procs: [], sustain: false };
        await smokeTest(target, body, false);
        await settle([...started.pids, mock.pid ?? 0], 15_000);
        const p = await measurePhase({ bin, target, pids: started.pids, upstreamPids: [mock.pid ?? 0], bodyFile, kind: 'open', rate: opts.rate, durationS: opts.durationS, warmupS: opts.warmupS, connections: opts.connections });
        results.get(v.id)!.rounds.push({ phases: [p], memory: readMemory(started) });
        log(`round ${round} ${v.label}: ${p.loadgen.rps.toFixed(0)} rps, p50 ${(p.loadgen.latency_us.p50 / 1000).toFixed(3)} ms, p99 ${(p.loadgen.latency_us.p99 / 1000).toFixed(3)} ms, CPU ${p.cpuUsPerReq?.toFixed(0)} µs/req, non-2xx ${p.loadgen.non2xx}, errors ${p.loadgen.errors}`);
      }
    }
    const report = buildReport([...results.values()], 'plain');
    const method = `one all-in-one process (in-process calls, Redis counters at ${opts.redis}), open loop at ${opts.rate} rps, ${opts.durationS} s per phase after ${opts.warmupS} s warm-up, ${opts.connections} connections, ${opts.rounds} alternating rounds (medians); "added" is the governed key minus the key without limits`;
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Linux ${release()}, Node ${process.versions.node}`;
    console.log(`\n${renderText(report.rows, report.saturation, report.notes)}\n`);
    writeResults(basePath, `# Budgets and rate limits on the chat hot path, ${stamp}\n\n${machine}\n\n${method}\n\n${renderMarkdown(report.rows, report.saturation, report.notes)}\n`, { date: stamp, machine, method, options: opts, report, results: [...results.values()] });
    log(`wrote ${basePath}.md and .json`);
  } finally {
    await stopAll([...started.children, mock]);
    closeSync(logFd);
    const redis = new Redis(opts.redis);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(`[bench-limits] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
