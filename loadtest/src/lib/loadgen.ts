// Builds the C load generator (src/c/loadgen.c) and runs it, one phase per call.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { exited, track } from './procs.js';

export interface Latency {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export interface LoadgenResult {
  mode: 'open' | 'closed';
  target_rps: number;
  connections: number;
  requests: number;
  errors: number;
  non2xx: number;
  errors_detail: { connect: number; io: number; parse: number; timeout: number };
  duration_s: number;
  rps: number;
  latency_us: Latency;
  /** CPU seconds the generator itself used in the measured window */
  cpu_s: number;
}

export interface LoadgenOptions {
  url: string;
  /** requests per second; omit for closed-loop saturation */
  rate?: number;
  durationS: number;
  warmupS: number;
  connections: number;
  headers: string[];
  bodyFile?: string;
  method?: string;
  /** per-request timeout */
  timeoutS?: number;
  /** open loop: how long to wait for the window's last answers */
  drainS?: number;
  /** called when the warm-up ends and measurement starts */
  onMeasuring?: () => void;
}

/** Compiles the generator into <loadtestDir>/bin/loadgen; returns the binary's path. */
export function buildLoadgen(loadtestDir: string): string {
  const src = join(loadtestDir, 'src', 'c', 'loadgen.c');
  const bin = join(loadtestDir, 'bin', 'loadgen');
  mkdirSync(join(loadtestDir, 'bin'), { recursive: true });
  // Compile beside it and rename: a generator that is running keeps its old file.
  const tmp = `${bin}.${process.pid}.tmp`;
  execFileSync('cc', ['-O2', '-Wall', '-Wextra', '-o', tmp, src], { stdio: ['ignore', 'inherit', 'inherit'] });
  renameSync(tmp, bin);
  return bin;
}

export function loadgenArgs(opts: LoadgenOptions): string[] {
  const args = [
    '--url', opts.url,
    '--duration', String(opts.durationS),
    '--warmup', String(opts.warmupS),
    '--connections', String(opts.connections),
    '--timeout', String(opts.timeoutS ?? 10),
    '--drain', String(opts.drainS ?? 5),
  ];
  if (opts.rate !== undefined) args.push('--rate', String(opts.rate));
  if (opts.method) args.push('--method', opts.method);
  if (opts.bodyFile) args.push('--body-file', opts.bodyFile);
  for (const h of opts.headers) args.push('--header', h);
  return args;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const numbersIn = (o: Record<string, unknown>, keys: readonly string[]): boolean =>
  keys.every((k) => typeof o[k] === 'number');

export function parseLoadgenOutput(stdout: string): LoadgenResult {
  const line = stdout.trim().split('\n').pop() ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new Error(`loadgen printed no JSON: ${JSON.stringify(stdout.slice(0, 200))}`);
  }
  if (
    !isObject(parsed) ||
    (parsed.mode !== 'open' && parsed.mode !== 'closed') ||
    !numbersIn(parsed, ['target_rps', 'connections', 'requests', 'errors', 'non2xx', 'duration_s', 'rps', 'cpu_s']) ||
    !isObject(parsed.latency_us) ||
    !numbersIn(parsed.latency_us, ['p50', 'p90', 'p99', 'p999', 'max', 'mean']) ||
    !isObject(parsed.errors_detail) ||
    !numbersIn(parsed.errors_detail, ['connect', 'io', 'parse', 'timeout'])
  ) {
    throw new Error(`unexpected loadgen output: ${line}`);
  }
  // Every field was checked above.
  return parsed as unknown as LoadgenResult;
}

/** Runs one phase. Rejects if the generator fails or overruns its hard timeout. */
export function runLoadgen(bin: string, opts: LoadgenOptions): Promise<LoadgenResult> {
  const hardTimeoutMs = (opts.warmupS + opts.durationS + (opts.drainS ?? 5) + 15) * 1000;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, loadgenArgs(opts), { stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (d.includes('loadgen: measuring')) opts.onMeasuring?.();
    });
    const timer = setTimeout(() => {
      if (!exited(child)) child.kill('SIGKILL');
      reject(new Error(`loadgen overran its hard timeout of ${hardTimeoutMs} ms`));
    }, hardTimeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`loadgen exited with ${code}: ${stderr.trim()}`));
        return;
      }
      try {
        resolve(parseLoadgenOutput(stdout));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  });
}
