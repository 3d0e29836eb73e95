// The MCP hot-path benchmark: a Streamable HTTP MCP server hit directly (the baseline)
// and through Switchyard's /mcp (edge -> mcp-connector -> the same server), side by side
// in one run with the open-loop C generator. Two scenarios: `tools/call` of a small
// upstream, and `tools/list` of an upstream with 500 tools. See loadtest/README.md.
//
//   node loadtest/dist/bench-mcp.js [--call-rates 500,1000] [--list-rates 200] [--duration 10] ...
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildLoadgen } from './lib/loadgen.js';
import { checkReply, exposedName, headerRecord, mcpHeaders, openSession, rpcBody, type BenchMethod } from './lib/mcp.js';
import { measurePhase, readMemory, settle, startProc, stopAll, type PhaseKind, type Started, type StartContext } from './lib/measure.js';
import { freePort, httpRequest, installExitHandlers } from './lib/procs.js';
import { buildReport, phaseKey, writeResults, type RoundResult, type TargetResult } from './lib/report.js';
import { renderMarkdown, renderText } from './lib/table.js';
import { internalPorts, type ProcSpec, type Target } from './lib/targets.js';
import { num } from './lib/cli.js';

const loadtestDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = resolve(loadtestDir, '..');
const UPSTREAM_ENTRY = 'loadtest/dist/mcp-upstream.js';
const AIO_ENTRY = 'services/all-in-one/dist/main.js';
/** The client name the gateway knows the bench upstream by (no '-': no hash suffix). */
const CLIENT = 'bench';

const TARGETS = ['direct', 'switchyard', 'switchyard-inprocess', 'switchyard-baseline'] as const;
type TargetId = (typeof TARGETS)[number];
const LABELS: Record<TargetId, string> = {
  direct: 'upstream direct (baseline)',
  switchyard: 'switchyard /mcp',
  'switchyard-inprocess': 'switchyard /mcp, in-process calls',
  'switchyard-baseline': 'switchyard /mcp, baseline build',
};

const { values: args } = parseArgs({
  options: {
    'call-rates': { type: 'string', default: '500,1000' },
    'list-rates': { type: 'string', default: '200' },
    'list-tools': { type: 'string', default: '500' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
    'no-saturation': { type: 'boolean', default: false },
    scenarios: { type: 'string', default: 'call,list' },
    targets: { type: 'string' },
    baseline: { type: 'string' },
    rounds: { type: 'string', default: '1' },
    out: { type: 'string', default: join(loadtestDir, 'results') },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  console.log(`usage: node loadtest/dist/bench-mcp.js [options]
  --call-rates 500,1000   open-loop rates of the tools/call scenario, requests/s
  --list-rates 200        open-loop rates of the tools/list scenario
  --list-tools 500        tools of the tools/list scenario's upstream
  --duration 10           seconds per measured phase (after --warmup 2)
  --connections 32        connections per phase (open loop and saturation)
  --no-saturation         skip the closed-loop saturation phase
  --scenarios call,list
  --targets ${TARGETS.join(',')}   (direct always runs: it is the baseline)
  --rounds 1              repeat everything; the table shows medians
  --out loadtest/results  where mcp-<date>.md/.json go (child logs: .raw)
  --baseline <dir>        another checkout's built tree: its all-in-one is the
                          switchyard-baseline target (before/after in one run)`);
  process.exit(0);
}

const list = (v: string | undefined): string[] => (v ?? '').split(',').filter(Boolean);

const opts = {
  callRates: list(args['call-rates']).map((r) => num('call-rates', r, 1, 100_000)),
  listRates: list(args['list-rates']).map((r) => num('list-rates', r, 1, 100_000)),
  listTools: num('list-tools', args['list-tools'], 1, 10_000),
  durationS: num('duration', args.duration, 1, 600),
  warmupS: num('warmup', args.warmup, 0, 60),
  connections: num('connections', args.connections, 1, 1000),
  saturation: !args['no-saturation'],
  rounds: num('rounds', args.rounds, 1, 10),
  scenarios: list(args.scenarios),
  // By default every target; the baseline one only with --baseline.
  targets: list(args.targets ?? TARGETS.filter((t) => t !== 'switchyard-baseline' || args.baseline).join(',')),
};
for (const t of opts.targets) {
  if (!(TARGETS as readonly string[]).includes(t)) {
    console.error(`unknown target ${t}; known: ${TARGETS.join(', ')}`);
    process.exit(2);
  }
}
const targetIds = ['direct', ...opts.targets.filter((t) => t !== 'direct')] as TargetId[];

interface Scenario {
  id: 'call' | 'list';
  title: string;
  method: BenchMethod;
  tools: number;
  rates: number[];
}
const SCENARIOS: Scenario[] = [
  { id: 'call', title: 'tools/call (echo) of a 10-tool upstream', method: 'tools/call', tools: 10, rates: opts.callRates },
  { id: 'list', title: `tools/list of a ${opts.listTools}-tool upstream`, method: 'tools/list', tools: opts.listTools, rates: opts.listRates },
];
const scenarios = SCENARIOS.filter((s) => opts.scenarios.includes(s.id));

const stamp = new Date().toISOString().replace(/:/g, '').replace(/\.\d+Z$/, 'Z');
const outDir = resolve(args.out ?? join(loadtestDir, 'results'));
mkdirSync(outDir, { recursive: true });
const basePath = join(outDir, `mcp-${stamp}`);
const tmp = mkdtempSync(join(tmpdir(), 'switchyard-bench-mcp-'));
const logFd = openSync(`${basePath}.raw`, 'a');
installExitHandlers(() => rmSync(tmp, { recursive: true, force: true }));
const log = (msg: string): void => console.log(`[bench-mcp] ${msg}`);
const errMsg = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const ctx: StartContext = { root, logFd, readyTimeoutMs: 60_000 };

/** The all-in-one to run: this checkout's, or with --baseline another built checkout's (before/after in one run). */
function aioEntry(id: TargetId): string {
  if (id !== 'switchyard-baseline') return AIO_ENTRY;
  if (!args.baseline) throw new Error('switchyard-baseline needs --baseline <dir>');
  return resolve(args.baseline, AIO_ENTRY);
}

/** The gateway's processes: all-in-one with one MCP client, the bench upstream, over Streamable HTTP. */
async function gatewayProc(id: TargetId, upstreamUrl: string, port: number): Promise<ProcSpec> {
  const dataDir = join(tmp, `data-${id}-${port}`);
  mkdirSync(dataDir, { recursive: true });
  const config = join(tmp, `switchyard-${id}-${port}.json`);
  writeFileSync(config, JSON.stringify({
    mcp_connector: { clients: [{ name: CLIENT, connection_type: 'http', connection_string: upstreamUrl, tools_to_execute: ['*'] }] },
  }));
  return {
    name: `all-in-one (${id})`, entry: aioEntry(id), args: [],
    env: {
      LOG_LEVEL: 'warn', SWITCHYARD_CONFIG: config, SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_EDGE_PORT: String(port),
      SWITCHYARD_INTERNAL_TRANSPORT: id === 'switchyard-inprocess' ? 'in-process' : 'grpc',
      ...(await internalPorts(['EDGE', 'LLM_PROXY', 'GOVERNANCE', 'TELEMETRY', 'MCP_CONNECTOR'])),
    },
    readyUrl: `http://127.0.0.1:${port}/readyz`, ok2xx: true,
  };
}

/** Sends the benchmark's request until it gets the right answer (the gateway connects its upstream in the background). */
async function expectAnswer(url: string, headers: string[], body: string, method: BenchMethod, tools: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const reply = await httpRequest(url, { method: 'POST', headers: headerRecord(headers), body, timeoutMs: 10_000 });
      if (reply.status !== 200) throw new Error(`HTTP ${reply.status}: ${reply.body.slice(0, 200)}`);
      checkReply(method, reply.body, tools);
      return;
    } catch (err) {
      last = errMsg(err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no right answer from ${url} in ${timeoutMs} ms: ${last}`);
}

interface Upstream { child: Started; url: string; pid: number }

async function measureTarget(id: TargetId, s: Scenario, up: Upstream, bin: string, result: TargetResult): Promise<void> {
  const run: RoundResult = { phases: [], memory: [] };
  result.rounds.push(run);
  let started: Started | undefined;
  try {
    let target: Target;
    let body: string;
    if (id === 'direct') {
      body = rpcBody(s.method);
      target = { id, label: LABELS[id], url: up.url, model: '', headers: mcpHeaders(await openSession(up.url)), procs: [], sustain: false };
      started = { children: [], pids: [up.pid], names: ['mcp-upstream'] };
    } else {
      if (!existsSync(resolve(root, aioEntry(id)))) throw new Error(`${aioEntry(id)} is not built`);
      const port = await freePort();
      const spec = await gatewayProc(id, up.url, port);
      log(`  ${LABELS[id]}: starting`);
      const child = await startProc(spec, ctx);
      started = { children: [child], pids: [child.pid ?? 0], names: [spec.name] };
      const url = `http://127.0.0.1:${port}/mcp`;
      body = rpcBody(s.method, exposedName(CLIENT, 'echo'));
      target = { id, label: LABELS[id], url, model: '', headers: mcpHeaders(await openSession(url)), procs: [spec], sustain: false };
    }
    await expectAnswer(target.url, target.headers, body, s.method, s.tools, 30_000);
    const bodyFile = join(tmp, `body-${s.id}-${id}.json`);
    writeFileSync(bodyFile, body);
    const plan: { kind: PhaseKind; rate?: number }[] = s.rates.map((rate) => ({ kind: 'open', rate }));
    if (opts.saturation) plan.push({ kind: 'saturation' });
    for (const step of plan) {
      const pids = [...new Set([...started.pids, up.pid])];
      const waited = await settle(pids, 15_000);
      if (waited > 1000) log(`  (waited ${(waited / 1000).toFixed(1)} s for the processes to go idle)`);
      const p = await measurePhase({
        bin, target, pids: started.pids, upstreamPids: id === 'direct' ? [] : [up.pid], bodyFile,
        kind: step.kind, rate: step.rate, durationS: opts.durationS, warmupS: opts.warmupS, connections: opts.connections,
      });
      run.phases.push(p);
      const l = p.loadgen;
      log(`  ${LABELS[id]} ${phaseKey(p)}: ${l.rps.toFixed(0)} rps, p50 ${(l.latency_us.p50 / 1000).toFixed(2)} ms, ` +
        `p99 ${(l.latency_us.p99 / 1000).toFixed(2)} ms, CPU ${p.cpuUsPerReq?.toFixed(0) ?? '—'} µs/req, ` +
        `errors ${l.errors}, non-2xx ${l.non2xx}, other load ${p.bgCores.toFixed(2)} cores`);
    }
    // Still the right answer after the load (a JSON-RPC error would have been a 200 too).
    await expectAnswer(target.url, target.headers, body, s.method, s.tools, 5_000);
    if (id !== 'direct') run.memory = readMemory(started);
  } catch (err) {
    result.status = `failed: ${errMsg(err)}`;
    log(`${LABELS[id]}: ${result.status}`);
  } finally {
    if (started) await stopAll(started.children);
  }
}

async function runScenario(s: Scenario, bin: string): Promise<{ s: Scenario; results: TargetResult[] }> {
  const port = await freePort();
  const spec: ProcSpec = {
    name: 'mcp-upstream', entry: UPSTREAM_ENTRY, args: ['--port', String(port), '--tools', String(s.tools)], env: {},
    readyUrl: `http://127.0.0.1:${port}/healthz`, ok2xx: true,
  };
  const child = await startProc(spec, ctx);
  const up: Upstream = { child: { children: [child], pids: [child.pid ?? 0], names: [spec.name] }, url: `http://127.0.0.1:${port}/mcp`, pid: child.pid ?? 0 };
  log(`${s.title}: upstream on 127.0.0.1:${port} (pid ${up.pid})`);
  const results = new Map<TargetId, TargetResult>();
  try {
    for (let round = 1; round <= opts.rounds; round++) {
      for (const id of targetIds) {
        const result = results.get(id) ?? { id, label: LABELS[id], status: 'ok', rounds: [] };
        results.set(id, result);
        log(`round ${round}: ${s.id}: ${LABELS[id]}`);
        await measureTarget(id, s, up, bin, result);
      }
    }
  } finally {
    await stopAll(up.child.children);
  }
  return { s, results: [...results.values()] };
}

const LEGEND = [
  'added = target minus the upstream hit directly at the same rate; CPU = the target\'s processes only (the gateway rows exclude the upstream); bg cores = other load on the machine.',
  'rps below the rate means overload: that row\'s latency and CPU per request describe a backlog.',
];

async function main(): Promise<void> {
  for (const e of [UPSTREAM_ENTRY]) if (!existsSync(join(root, e))) throw new Error(`${e} is not built: npx tsc -p loadtest/tsconfig.json`);
  log('compiling loadtest/src/c/loadgen.c');
  const bin = buildLoadgen(loadtestDir);
  const sections: { title: string; text: string; markdown: string; report: ReturnType<typeof buildReport>; results: TargetResult[] }[] = [];
  for (const s of scenarios) {
    const { results } = await runScenario(s, bin);
    const report = buildReport(results, 'direct');
    sections.push({
      title: s.title, report, results,
      text: renderText(report.rows, report.saturation, report.notes, LEGEND),
      markdown: renderMarkdown(report.rows, report.saturation, report.notes, LEGEND),
    });
  }
  const method =
    `open loop at fixed rates, latency from the intended send time; ${opts.durationS} s per phase after ${opts.warmupS} s warm-up; ` +
    `${opts.connections} connections; Streamable HTTP, JSON responses; upstream stateless (SDK low-level Server); ` +
    `${opts.rounds} round(s) (medians)`;
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Linux ${release()}, Node ${process.versions.node}`;
  for (const sec of sections) console.log(`\n## ${sec.title}\n\n${sec.text}`);
  const markdown = `# MCP hot path, ${stamp}\n\n${machine}\n\n${method}\n\n` +
    sections.map((sec) => `## ${sec.title}\n\n${sec.markdown}\n`).join('\n');
  writeResults(basePath, markdown, {
    date: stamp, machine, method, options: opts,
    scenarios: sections.map((sec) => ({ title: sec.title, report: sec.report, results: sec.results })),
  });
  log(`wrote ${basePath}.md and .json (child logs: ${basePath}.raw)`);
}

main()
  .then(() => {
    closeSync(logFd);
    process.exit(0);
  })
  .catch((err: unknown) => {
    console.error(`[bench-mcp] ${errMsg(err)}`);
    process.exit(1);
  });
