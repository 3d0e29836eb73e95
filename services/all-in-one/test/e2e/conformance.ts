import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startProcess, type StartedProcess } from '@switchyard/testing';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../../..');
/** The official suite's CLI (`@modelcontextprotocol/conformance`, a devDependency of all-in-one). */
export const CONFORMANCE_CLI = join(ROOT, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
/** The newer, 2026-07-28-aware suite (0.2.0-alpha.12, installed side by side as `conformance-next`). */
export const CONFORMANCE_NEXT_CLI = join(ROOT, 'node_modules/conformance-next/dist/index.js');
/** The fixture MCP server that implements what the server scenarios call for. */
export const CONFORMANCE_FIXTURE = resolve(import.meta.dirname, '../fixtures/conformance-server.mjs');

export interface ScenarioResult {
  passed: number;
  failed: number;
  warnings: number;
  /** `<check id>: <error message>` of every failed check. */
  failures: string[];
}

interface Check {
  id: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO';
  errorMessage?: string;
}

/**
 * Runs the suite's server scenarios (`active` by default, or the scenarios one spec
 * revision requires with the newer CLI's `requirements`) against `url` in a child
 * process (the CLI exits non-zero on any failure; that is read from the results,
 * not the exit code) and reads each scenario's `checks.json`.
 */
export async function runServerScenarios(url: string, opts: { suite?: string; scenario?: string; timeoutMs?: number; cli?: string; requirements?: string } = {}): Promise<Map<string, ScenarioResult>> {
  const out = await mkdtemp(join(tmpdir(), 'sy-conformance-'));
  try {
    const args = [opts.cli ?? CONFORMANCE_CLI, 'server', '--url', url, '-o', out];
    if (opts.scenario) args.push('--scenario', opts.scenario);
    else if (opts.requirements) args.push('--requirements', opts.requirements);
    else args.push('--suite', opts.suite ?? 'active');
    await run(process.execPath, args, { cwd: out, timeout: opts.timeoutMs ?? 240_000, maxBuffer: 16 << 20 }).catch((err: unknown) => {
      // A failing scenario makes the CLI exit 1; results are still written. Anything else is fatal.
      if (!(typeof err === 'object' && err !== null && 'code' in err && err.code === 1)) throw err;
    });
    const results = new Map<string, ScenarioResult>();
    for (const dir of await readdir(out)) {
      const m = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(dir);
      if (!m?.[1]) continue;
      // A scenario that throws before writing its checks (the alpha's extension scenarios can) counts as failed.
      const raw = await readFile(join(out, dir, 'checks.json'), 'utf8').catch(() => undefined);
      if (raw === undefined) {
        results.set(m[1], { passed: 0, failed: 1, warnings: 0, failures: ['no checks.json: the scenario did not finish'] });
        continue;
      }
      const checks = JSON.parse(raw) as Check[];
      results.set(m[1], {
        passed: checks.filter((c) => c.status === 'SUCCESS').length,
        failed: checks.filter((c) => c.status === 'FAILURE').length,
        warnings: checks.filter((c) => c.status === 'WARNING').length,
        failures: checks.filter((c) => c.status === 'FAILURE').map((c) => `${c.id}: ${c.errorMessage ?? ''}`),
      });
    }
    return results;
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** A scenario passes when it has at least one successful check and no failed one. */
export function passes(r: ScenarioResult | undefined): boolean {
  return r !== undefined && r.failed === 0 && r.passed > 0;
}

/** The fixture over Streamable HTTP on a free port; resolves with its URL. */
export async function startFixture(): Promise<{ url: string; proc: StartedProcess }> {
  const proc = await startProcess({ command: process.execPath, args: [CONFORMANCE_FIXTURE, '--port', '0'], readyLog: /listening http:\/\/\S+/ });
  const url = /listening (http:\/\/\S+)/.exec(proc.output())?.[1];
  if (!url) throw new Error(`fixture did not report its URL: ${proc.output()}`);
  return { url, proc };
}
