// Starting a target's processes, checking that it answers a chat request, and
// measuring one phase with the target's CPU sampled around the measured window.
import type { ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { runLoadgen, type LoadgenResult } from './loadgen.js';
import {
  httpRequest, memory, processTree, startProcess, stopProcess, systemBusySeconds, totalCpuSeconds, waitForHttp,
} from './procs.js';
import type { ProcSpec, Target } from './targets.js';

export type PhaseKind = 'open' | 'saturation' | 'sustain';

export interface PhaseResult {
  kind: PhaseKind;
  rate?: number;
  loadgen: LoadgenResult;
  /** CPU seconds (user + sys) the target's processes spent in the measured window */
  cpuS: number;
  cpuUsPerReq?: number;
  /** CPU per request of the mock upstream (when it is not the target itself) */
  upstreamUsPerReq?: number;
  /** CPU per request of the generator */
  loadgenUsPerReq?: number;
  /** cores busy with anything else on the machine during the window: noise */
  bgCores: number;
}

export interface ProcMemory {
  name: string;
  pid: number;
  rssKb: number;
  hwmKb: number;
}

export interface StartContext {
  root: string;
  logFd: number;
  readyTimeoutMs: number;
}

export interface Started {
  children: ChildProcess[];
  pids: number[];
  names: string[];
}

/** The environment of a target process: nothing inherited that could switch its mode. */
export function childEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return { ...env, ...extra };
}

export async function startProc(spec: ProcSpec, ctx: StartContext): Promise<ChildProcess> {
  const child = startProcess({
    name: spec.name,
    command: process.execPath,
    args: [resolve(ctx.root, spec.entry), ...spec.args],
    env: childEnv(spec.env),
    cwd: ctx.root,
    logFd: ctx.logFd,
  });
  try {
    await waitForHttp(spec.readyUrl, child, ctx.readyTimeoutMs, spec.ok2xx);
  } catch (err) {
    await stopProcess(child);
    throw new Error(`${spec.name}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return child;
}

/** Starts the target's processes in order, each one ready before the next. */
export async function startTarget(target: Target, ctx: StartContext): Promise<Started> {
  const started: Started = { children: [], pids: [], names: [] };
  try {
    for (const spec of target.procs) {
      const child = await startProc(spec, ctx);
      started.children.push(child);
      started.pids.push(child.pid ?? 0);
      started.names.push(spec.name);
    }
  } catch (err) {
    await stopAll(started.children);
    throw err;
  }
  return started;
}

export async function stopAll(children: ChildProcess[]): Promise<void> {
  for (const child of [...children].reverse()) await stopProcess(child);
}

function headerRecord(headers: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of headers) {
    const i = h.indexOf(':');
    out[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  return out;
}

/** One chat request must succeed (a few tries while caches warm) before load is applied. */
export async function smokeTest(target: Target, body: string, stream: boolean): Promise<void> {
  let last = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const reply = await httpRequest(target.url, {
        method: 'POST',
        headers: headerRecord(target.headers),
        body,
        timeoutMs: 10_000,
      });
      const looksRight = stream ? reply.body.includes('data:') : reply.body.includes('"choices"');
      if (reply.status >= 200 && reply.status < 300 && looksRight) return;
      last = `HTTP ${reply.status}: ${reply.body.slice(0, 300)}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`chat request failed: ${last}`);
}

export interface PhaseOptions {
  bin: string;
  target: Target;
  pids: number[];
  /** the mock upstream, when it is not the target: its CPU is reported apart */
  upstreamPids: number[];
  bodyFile: string;
  kind: PhaseKind;
  rate?: number;
  durationS: number;
  warmupS: number;
  connections: number;
}

/** NaN once a process has gone: a target that dies mid-phase fails the phase. */
function cpuOf(pids: number[]): number {
  try {
    return totalCpuSeconds(pids);
  } catch {
    return Number.NaN;
  }
}

interface Sample {
  at: number;
  target: number;
  upstream: number;
  system: number;
}

const sample = (o: PhaseOptions): Sample => ({
  at: performance.now(),
  target: cpuOf(o.pids),
  upstream: cpuOf(o.upstreamPids),
  system: systemBusySeconds(),
});

export async function measurePhase(o: PhaseOptions): Promise<PhaseResult> {
  let start = sample(o);
  const loadgen = await runLoadgen(o.bin, {
    url: o.target.url,
    rate: o.kind === 'saturation' ? undefined : o.rate,
    durationS: o.durationS,
    warmupS: o.warmupS,
    connections: o.connections,
    headers: o.target.headers,
    bodyFile: o.bodyFile,
    onMeasuring: () => {
      start = sample(o);
    },
  });
  const end = sample(o);
  const cpuS = end.target - start.target;
  const upstreamS = end.upstream - start.upstream;
  if (Number.isNaN(cpuS)) throw new Error(`a process of ${o.target.id} exited during the ${o.kind} phase`);
  const elapsedS = (end.at - start.at) / 1000;
  const other = end.system - start.system - cpuS - upstreamS - loadgen.cpu_s;
  const perReq = (s: number): number | undefined => (loadgen.requests > 0 ? (s * 1e6) / loadgen.requests : undefined);
  return {
    kind: o.kind,
    rate: o.kind === 'saturation' ? undefined : o.rate,
    loadgen,
    cpuS,
    cpuUsPerReq: perReq(cpuS),
    upstreamUsPerReq: o.upstreamPids.length > 0 ? perReq(upstreamS) : undefined,
    loadgenUsPerReq: perReq(loadgen.cpu_s),
    bgCores: elapsedS > 0 ? Math.max(0, other / elapsedS) : 0,
  };
}

/**
 * Waits until the processes are idle (under 15% of a core over 250 ms), at most maxMs:
 * an overloaded target still works off its backlog after the generator has gone.
 * Returns the milliseconds waited.
 */
export async function settle(pids: number[], maxMs: number): Promise<number> {
  const start = Date.now();
  let prev = cpuOf(pids);
  while (Date.now() - start < maxMs) {
    await new Promise((r) => setTimeout(r, 250));
    const now = cpuOf(pids);
    if (Number.isNaN(now) || now - prev < 0.25 * 0.15) break;
    prev = now;
  }
  return Date.now() - start;
}

/** Memory of each process and of its descendants, if it has any. */
export function readMemory(started: Started): ProcMemory[] {
  return started.pids.flatMap((root, i) =>
    processTree(root).flatMap((pid) => {
      try {
        const name = pid === root ? (started.names[i] ?? String(pid)) : `${started.names[i] ?? root} child ${pid}`;
        return [{ name, pid, ...memory(pid) }];
      } catch {
        return [];
      }
    }),
  );
}
