// The chat hot-path benchmark: the mock provider (baseline), a bare Node proxy
// (ceiling), Switchyard all-in-one and split, and Portkey, measured side by side in
// one run with an open-loop C generator. See loadtest/README.md.
//
//   node loadtest/dist/bench-chat.js [--rates 1000,2500] [--duration 10] [--stream] ...
import { execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildLoadgen } from './lib/loadgen.js';
import {
  measurePhase, readMemory, settle, smokeTest, startProc, startTarget, stopAll,
  type PhaseKind, type Started, type StartContext,
} from './lib/measure.js';
import { freePort, installExitHandlers } from './lib/procs.js';
import { buildReport, phaseKey, writeResults, type RoundResult, type TargetResult } from './lib/report.js';
import { renderMarkdown, renderText } from './lib/table.js';
import { num } from './lib/cli.js';
import {
  ALL_TARGETS, MOCK_ENTRY, buildTarget, setBaselineRoot, chatBody, missingEntries, mockProc, targetLabel, type TargetId,
} from './lib/targets.js';

const loadtestDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = resolve(loadtestDir, '..');

const { values: args } = parseArgs({
  options: {
    rates: { type: 'string', default: '1000,2500' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '64' },
    stream: { type: 'boolean', default: false },
    sustain: { type: 'string', default: '5000' },
    'sustain-duration': { type: 'string', default: '30' },
    'no-saturation': { type: 'boolean', default: false },
    targets: { type: 'string' },
    rounds: { type: 'string', default: '1' },
    out: { type: 'string', default: join(loadtestDir, 'results') },
    'ready-timeout': { type: 'string', default: '60' },
    baseline: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  console.log(`usage: node loadtest/dist/bench-chat.js [options]
  --rates 1000,2500        open-loop rates, requests/s
  --duration 10            seconds per measured phase (after --warmup 2)
  --connections 64         connections per phase (open loop and saturation)
  --stream                 SSE requests (stream: true, include_usage)
  --sustain 5000           sustained phase for the mock and Switchyard all-in-one (0: off)
  --sustain-duration 30    seconds of the sustained phase
  --no-saturation          skip the closed-loop saturation phase
  --targets ${ALL_TARGETS.join(',')}
  --rounds 1               repeat everything; the table shows medians
  --out loadtest/results   where chat-<date>.md/.json go (child logs: .raw)
  --baseline <dir>         another checkout's built tree: its all-in-one is the
                           switchyard-baseline target (before/after in one run)`);
  process.exit(0);
}


const opts = {
  rates: (args.rates ?? '').split(',').filter(Boolean).map((r) => num('rates', r, 1, 100_000)),
  durationS: num('duration', args.duration, 1, 600),
  warmupS: num('warmup', args.warmup, 0, 60),
  connections: num('connections', args.connections, 1, 1000),
  stream: args.stream ?? false,
  sustain: num('sustain', args.sustain, 0, 100_000),
  sustainS: num('sustain-duration', args['sustain-duration'], 1, 600),
  saturation: !args['no-saturation'],
  rounds: num('rounds', args.rounds, 1, 10),
  readyTimeoutMs: num('ready-timeout', args['ready-timeout'], 1, 600) * 1000,
  // By default every target; the baseline one only with --baseline.
  targets: (args.targets ?? ALL_TARGETS.filter((t) => t !== 'switchyard-baseline' || args.baseline).join(',')).split(',').filter(Boolean),
};
for (const t of opts.targets) {
  if (!(ALL_TARGETS as readonly string[]).includes(t)) {
    console.error(`unknown target ${t}; known: ${ALL_TARGETS.join(', ')}`);
    process.exit(2);
  }
}
setBaselineRoot(args.baseline);
const targetIds = ['mock', ...opts.targets.filter((t) => t !== 'mock')] as TargetId[];

const stamp = new Date().toISOString().replace(/:/g, '').replace(/\.\d+Z$/, 'Z');
const outDir = resolve(args.out ?? join(loadtestDir, 'results'));
mkdirSync(outDir, { recursive: true });
const basePath = join(outDir, `chat-${stamp}`);
const tmp = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
const logFd = openSync(`${basePath}.raw`, 'a');
installExitHandlers(() => rmSync(tmp, { recursive: true, force: true }));

const log = (msg: string): void => console.log(`[bench] ${msg}`);
function commit(): string {
  try {
    const rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${rev} + uncommitted changes` : rev;
  } catch {
    return 'unknown';
  }
}
const errMsg = (err: unknown): string => (err instanceof Error ? err.message : String(err));

interface Shared {
  bin: string;
  ctx: StartContext;
  mock: ChildProcess;
  mockPort: number;
}

/** One round of one target: start it, check it answers, run every phase, read its memory. */
async function measureTarget(id: TargetId, round: number, result: TargetResult, sh: Shared): Promise<void> {
  const target = await buildTarget(id, sh.mockPort, tmp);
  const missing = missingEntries(target, root);
  if (missing.length > 0) {
    result.status = `skipped (not built: ${missing.join(', ')})`;
    log(`${target.label}: ${result.status}`);
    return;
  }
  const body = chatBody(target.model, opts.stream);
  const bodyFile = join(tmp, `body-${id}.json`);
  writeFileSync(bodyFile, body);
  const mockPid = sh.mock.pid ?? 0;
  const plan: { kind: PhaseKind; rate?: number; durationS: number }[] = opts.rates.map((rate) => ({
    kind: 'open', rate, durationS: opts.durationS,
  }));
  if (opts.sustain > 0 && target.sustain) plan.push({ kind: 'sustain', rate: opts.sustain, durationS: opts.sustainS });
  if (opts.saturation) plan.push({ kind: 'saturation', durationS: opts.durationS });

  const run: RoundResult = { phases: [], memory: [] };
  result.rounds.push(run);
  let started: Started | undefined;
  try {
    log(`round ${round}: ${target.label}: starting`);
    started = id === 'mock' ? { children: [], pids: [mockPid], names: ['mock-provider'] } : await startTarget(target, sh.ctx);
    await smokeTest(target, body, opts.stream);
    for (const step of plan) {
      const waited = await settle([...new Set([...started.pids, mockPid])], 15_000);
      if (waited > 1000) log(`  (waited ${(waited / 1000).toFixed(1)} s for the processes to go idle)`);
      const p = await measurePhase({
        bin: sh.bin, target, pids: started.pids, upstreamPids: id === 'mock' ? [] : [mockPid], bodyFile,
        kind: step.kind, rate: step.rate, durationS: step.durationS, warmupS: opts.warmupS, connections: opts.connections,
      });
      run.phases.push(p);
      const l = p.loadgen;
      log(`  ${phaseKey(p)}: ${l.rps.toFixed(0)} rps, p50 ${(l.latency_us.p50 / 1000).toFixed(2)} ms, ` +
        `p99 ${(l.latency_us.p99 / 1000).toFixed(2)} ms, CPU ${p.cpuUsPerReq?.toFixed(0) ?? '—'} µs/req, ` +
        `errors ${l.errors}, non-2xx ${l.non2xx}, other load ${p.bgCores.toFixed(2)} cores`);
    }
    run.memory = readMemory(started);
  } catch (err) {
    result.status = `failed: ${errMsg(err)}`;
    log(`${target.label}: ${result.status}`);
  } finally {
    if (started) await stopAll(started.children);
  }
}

async function main(): Promise<void> {
  if (!existsSync(join(root, MOCK_ENTRY))) {
    throw new Error(`${MOCK_ENTRY} is not built: cd ${root} && npx turbo run build --filter=@switchyard/testing`);
  }
  log('compiling loadtest/src/c/loadgen.c');
  const bin = buildLoadgen(loadtestDir);
  const ctx: StartContext = { root, logFd, readyTimeoutMs: opts.readyTimeoutMs };
  const mockPort = await freePort();
  const mock = await startProc(mockProc(mockPort), ctx);
  log(`mock provider on 127.0.0.1:${mockPort} (pid ${mock.pid})`);

  const results = new Map<TargetId, TargetResult>();
  for (let round = 1; round <= opts.rounds; round++) {
    for (const id of targetIds) {
      const result = results.get(id) ?? { id, label: targetLabel(id), status: 'ok', rounds: [] };
      results.set(id, result);
      await measureTarget(id, round, result, { bin, ctx, mock, mockPort });
    }
  }

  const all = [...results.values()];
  const report = buildReport(all, 'mock');
  const method =
    `open loop at fixed rates, latency from the intended send time; ${opts.durationS} s per phase after ` +
    `${opts.warmupS} s warm-up; ${opts.connections} connections; ${opts.stream ? 'SSE (stream: true)' : 'non-streaming'} ` +
    `requests; ${opts.rounds} round(s) (medians); commit ${commit()}`;
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Linux ${release()}, Node ${process.versions.node}`;
  console.log(`\n${renderText(report.rows, report.saturation, report.notes)}\n`);
  const markdown = `# Chat hot path, ${stamp}\n\n${machine}\n\n${method}\n\n` +
    `${renderMarkdown(report.rows, report.saturation, report.notes)}\n`;
  writeResults(basePath, markdown, { date: stamp, machine, method, options: opts, report, results: all });
  log(`wrote ${basePath}.md and .json (child logs: ${basePath}.raw)`);
  await stopAll([mock]);
}

main()
  .then(() => {
    closeSync(logFd);
    process.exit(0);
  })
  .catch((err: unknown) => {
    console.error(`[bench] ${errMsg(err)}`);
    process.exit(1);
  });
