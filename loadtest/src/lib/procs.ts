// Child processes of the harness, and what /proc says about them.
// Every child is registered here and killed when the harness exits, however it exits.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';

const children = new Set<ChildProcess>();

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** file descriptor that receives the child's stdout and stderr */
  logFd: number | 'ignore';
}

export function startProcess(opts: StartOptions): ChildProcess {
  const child = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['ignore', opts.logFd, opts.logFd],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.once('error', () => children.delete(child));
  return child;
}

/** Registers a child started elsewhere so that it is killed at exit too. */
export function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** SIGTERM, then SIGKILL after graceMs. Resolves once the child is gone. */
export function stopProcess(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (exited(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export function killAllSync(): void {
  for (const child of children) {
    if (!exited(child)) child.kill('SIGKILL');
  }
  children.clear();
}

/** Kills every child on exit, on SIGINT/SIGTERM and on an uncaught error. */
export function installExitHandlers(cleanup: () => void): void {
  const finish = (code: number): void => {
    killAllSync();
    cleanup();
    process.exit(code);
  };
  process.on('exit', () => {
    killAllSync();
    cleanup();
  });
  process.on('SIGINT', () => finish(130));
  process.on('SIGTERM', () => finish(143));
  process.on('uncaughtException', (err) => {
    console.error(err);
    finish(1);
  });
  process.on('unhandledRejection', (err) => {
    console.error(err);
    finish(1);
  });
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/**
 * user + system CPU seconds of a process (all its threads), plus what its reaped
 * children used (cutime + cstime), from /proc/<pid>/stat.
 */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  // fields 14-17: utime stime cutime cstime (index 0 here is field 3)
  return ((f[11] ?? 0) + (f[12] ?? 0) + (f[13] ?? 0) + (f[14] ?? 0)) / ticksPerSecond();
}

/** The pid and all its live descendants, from /proc/<pid>/task/<tid>/children. */
export function processTree(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0 && out.length < 1000) {
    const p = queue.shift() ?? 0;
    out.push(p);
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        const kids = readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8').trim();
        if (kids) queue.push(...kids.split(/\s+/).map(Number));
      } catch {
        // the thread ended
      }
    }
  }
  return out;
}

/** CPU seconds of the processes and their descendants. Throws if a listed pid is gone. */
export function totalCpuSeconds(pids: readonly number[]): number {
  let sum = 0;
  for (const pid of pids) {
    sum += cpuSeconds(pid);
    for (const child of processTree(pid).slice(1)) {
      try {
        sum += cpuSeconds(child);
      } catch {
        // exited between the listing and the read: its time moves to the parent's cutime
      }
    }
  }
  return sum;
}

/** CPU seconds the whole machine has been busy (all cores), from /proc/stat. */
export function systemBusySeconds(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  // cpu user nice system idle iowait irq softirq steal ...
  const f = cpu.trim().split(/\s+/).slice(1).map(Number);
  const busy = (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0);
  return busy / ticksPerSecond();
}

export interface Memory {
  rssKb: number;
  hwmKb: number;
}

/** Resident set size now and its peak (VmHWM), from /proc/<pid>/status. */
export function memory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    return m?.[1] ? Number(m[1]) : 0;
  };
  return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface HttpReply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

export function httpRequest(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
      res.on('error', reject);
    });
    req.setTimeout(init.timeoutMs ?? 5000, () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end(init.body);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls url until it answers (with a 2xx if ok2xx), the child dies, or timeoutMs passes.
 */
export async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number, ok2xx: boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (exited(child)) throw new Error(`exited with ${child.exitCode ?? child.signalCode} before ready`);
    try {
      const reply = await httpRequest(url, { timeoutMs: 1000 });
      if (!ok2xx || (reply.status >= 200 && reply.status < 300)) return;
      last = `HTTP ${reply.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(100);
  }
  throw new Error(`not ready after ${timeoutMs} ms (${url}: ${last})`);
}
