import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

export interface StartProcessOptions {
  command: string;
  args?: string[];
  /** Added to (and overriding) the parent's environment. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Ready when a GET of this URL answers 200 (polled every 100 ms). */
  readyUrl?: string;
  /** Ready when stdout or stderr matches. */
  readyLog?: RegExp;
  /** Default 30000. The child is killed if it is not ready by then. */
  timeoutMs?: number;
  /** How long stop() waits after its signal before SIGKILL. Default 5000. */
  killAfterMs?: number;
}

export interface StartedProcess extends AsyncDisposable {
  child: ChildProcess;
  pid: number;
  /** Everything the child wrote to stdout and stderr so far (the last 1 MiB). */
  output(): string;
  /** SIGTERM (or `signal`), then SIGKILL after `killAfterMs`; resolves with the exit code (null if killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const MAX_OUTPUT = 1 << 20;
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

// A test run that ends (or crashes) with children still running kills them on its way out.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return true;
  const ac = new AbortController();
  const result = await Promise.race([
    once(child, 'exit').then(() => true),
    sleep(ms, false, { signal: ac.signal }).catch(() => false),
  ]);
  ac.abort();
  return result || exited(child);
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals, killAfterMs: number): Promise<number | null> {
  if (!exited(child)) {
    child.kill(signal);
    if (!(await waitExit(child, killAfterMs))) {
      child.kill('SIGKILL');
      await waitExit(child, 5000);
    }
  }
  live.delete(child);
  return child.exitCode;
}

async function urlAnswers200(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

async function waitReady(
  child: ChildProcess,
  opts: StartProcessOptions,
  output: () => string,
  signal: AbortSignal,
): Promise<void> {
  const exit = once(child, 'exit', { signal }).then(([code, sig]: unknown[]) => {
    throw new Error(`process exited before it was ready (code ${String(code)}, signal ${String(sig)})`);
  });
  exit.catch(() => undefined);
  const ready = (async (): Promise<void> => {
    while (!signal.aborted) {
      if (exited(child)) throw new Error(`process exited before it was ready (code ${String(child.exitCode)})`);
      if (opts.readyLog) opts.readyLog.lastIndex = 0;
      const logReady = opts.readyLog === undefined || opts.readyLog.test(output());
      const urlReady = opts.readyUrl === undefined || (await urlAnswers200(opts.readyUrl));
      if (logReady && urlReady) return;
      await sleep(opts.readyUrl === undefined ? 20 : 100, undefined, { signal }).catch(() => undefined);
    }
  })();
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const timeout = sleep(timeoutMs, undefined, { signal }).then(() => {
    throw new Error(`process not ready after ${timeoutMs}ms`);
  });
  timeout.catch(() => undefined);
  await Promise.race([ready, exit, timeout]);
}

/** Spawns a child (no shell) and resolves once it is ready; rejects, having killed it, if it is not. */
export async function startProcess(opts: StartProcessOptions): Promise<StartedProcess> {
  installExitHook();
  const child = spawn(opts.command, opts.args ?? [], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffer = '';
  const append = (chunk: Buffer): void => {
    buffer += chunk.toString('utf8');
    if (buffer.length > MAX_OUTPUT) buffer = buffer.slice(-MAX_OUTPUT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const output = (): string => buffer;

  const spawned = await Promise.race([
    once(child, 'spawn').then(
      () => undefined,
      (err: unknown) => err,
    ),
    once(child, 'error').then(([err]: unknown[]) => err),
  ]);
  if (spawned !== undefined || child.pid === undefined) {
    throw new Error(`cannot start ${opts.command}: ${spawned instanceof Error ? spawned.message : 'no pid'}`);
  }
  live.add(child);
  const pid = child.pid;
  const stop = (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => stopChild(child, signal, opts.killAfterMs ?? 5000);

  const ac = new AbortController();
  try {
    await waitReady(child, opts, output, ac.signal);
  } catch (err) {
    await stop('SIGKILL');
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`${opts.command} ${(opts.args ?? []).join(' ')}: ${reason}\n--- output ---\n${output().slice(-4000)}`);
  } finally {
    ac.abort();
  }
  return { child, pid, output, stop, [Symbol.asyncDispose]: async () => void (await stop()) };
}
