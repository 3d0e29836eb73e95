import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedProcess } from '@switchyard/testing';
import { CONFORMANCE_FIXTURE, CONFORMANCE_NEXT_CLI, passes, runServerScenarios, startFixture, type ScenarioResult } from './conformance.js';
import { startMcpGateway, until, type McpGateway } from './helpers.js';

const REVISIONS = ['2025-11-25', '2026-07-28'] as const;
const CLIENTS = ['conf', 'confstdio'] as const;

/**
 * 2026-07-28 scenarios the gateway passes with the (legacy-only) fixture behind it: the
 * modern era is edge's own (stateless requests, header checks, cache hints, -32602 for
 * a missing resource), so these pass through the gateway although not directly.
 */
const GATEWAY_MODERN = [
  'caching', 'completion-complete', 'dns-rebinding-protection', 'http-header-validation', 'prompts-get-embedded-resource',
  'prompts-get-simple', 'prompts-get-with-args', 'prompts-get-with-image', 'prompts-list', 'resources-list', 'resources-read-binary',
  'resources-read-text', 'resources-templates-read', 'sep-2164-resource-not-found', 'server-sse-multiple-streams', 'tools-call-audio',
  'tools-call-embedded-resource', 'tools-call-error', 'tools-call-image', 'tools-call-mixed-content', 'tools-call-simple-text',
  'tools-call-with-progress', 'tools-list', 'input-required-result-missing-input-response', 'input-required-result-unsupported-methods',
  'input-required-result-ignore-extra-params', 'input-required-result-validate-input',
];

/**
 * MRTR scenarios the gateway passes by bridging the fixture's legacy server-to-client
 * requests into input_required rounds. Each runs alone on its own upstream connection:
 * mcp-connector relays a server-to-client request only while exactly one call runs on
 * that upstream, and scenarios that never retry leave their call parked (up to
 * mcp.mrtr_wait_ms), which would block relays for the next scenario on a shared one.
 */
const GATEWAY_MRTR = [
  'basic-sampling', 'request-state', 'multi-round', 'result-type', 'tampered-state', 'capability-check',
].map((s) => `input-required-result-${s}`);

async function toolCount(url: string): Promise<number | undefined> {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const init = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'wait', version: '1' } } }) });
  const sid = init.headers.get('mcp-session-id');
  await init.body?.cancel();
  if (!init.ok || !sid) return undefined;
  const res = await fetch(url, { method: 'POST', headers: { ...headers, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) });
  const n = ((await res.json()) as { result?: { tools?: unknown[] } }).result?.tools?.length ?? 0;
  return n >= 13 ? n : undefined;
}

function summary(results: Map<string, ScenarioResult>): string {
  return [...results].map(([name, r]) => `${passes(r) ? 'ok  ' : 'FAIL'} ${name} ${r.passed}/${r.passed + r.failed}${r.failures.length ? ` ${r.failures.join('; ')}` : ''}`).join('\n');
}

const passing = (results: Map<string, ScenarioResult>): string[] => [...results].filter(([, r]) => passes(r)).map(([n]) => n).sort();

// The newer official suite (0.2.0-alpha.12, `conformance-next`), the scenarios each spec
// revision requires (`--requirements`), against the fixture directly and through
// /mcp/clients/<name> (the fixture as an HTTP and a stdio upstream). A scenario that
// passes directly and fails through the gateway fails this test.
describe('MCP conformance suite 0.2.0-alpha.12 (server scenarios, per revision)', () => {
  let fixture: { url: string; proc: StartedProcess };
  let setup: McpGateway | undefined;
  const direct = new Map<string, Map<string, ScenarioResult>>();

  beforeAll(async () => {
    fixture = await startFixture();
    setup = await startMcpGateway([
      { name: 'conf', connection_type: 'http', connection_string: fixture.url },
      { name: 'confstdio', connection_type: 'stdio', stdio_config: { command: process.execPath, args: [CONFORMANCE_FIXTURE, '--stdio'] } },
      ...GATEWAY_MRTR.map((_, i) => ({ name: `mrtr${i}`, connection_type: 'http', connection_string: fixture.url })),
    ]);
    for (const client of [...CLIENTS, ...GATEWAY_MRTR.map((_, i) => `mrtr${i}`)]) await until(() => toolCount(`${setup!.gw.url!}/mcp/clients/${client}`), 30_000, 200);
    for (const rev of REVISIONS) direct.set(rev, await runServerScenarios(fixture.url, { cli: CONFORMANCE_NEXT_CLI, requirements: rev }));
  }, 300_000);

  afterAll(async () => {
    await setup?.[Symbol.asyncDispose]();
    await fixture?.proc.stop();
  });

  it('the fixture passes every scenario 2025-11-25 requires, directly', () => {
    const got = direct.get('2025-11-25')!;
    expect(passing(got).length, summary(got)).toBeGreaterThanOrEqual(30);
    // server-sse-polling runs no check against a server without SSE polling (0 of 0): not a pass, not a failure.
    expect([...got].filter(([, r]) => r.failed > 0).map(([n]) => n), summary(got)).toEqual([]);
  });

  for (const rev of REVISIONS) {
    for (const client of CLIENTS) {
      it(`${rev}: every scenario that passes directly passes through /mcp/clients/${client}`, async () => {
        const via = await runServerScenarios(`${setup!.gw.url!.replace('127.0.0.1', 'localhost')}/mcp/clients/${client}`, { cli: CONFORMANCE_NEXT_CLI, requirements: rev });
        const regressed = passing(direct.get(rev)!).filter((name) => !passes(via.get(name)));
        expect(regressed, summary(via)).toEqual([]);
        if (rev === '2026-07-28') expect(GATEWAY_MODERN.filter((name) => !passes(via.get(name))), summary(via)).toEqual([]);
      }, 300_000);
    }
  }

  it('2026-07-28: the MRTR scenarios pass through the gateway, bridged from a legacy upstream (each on its own connection)', async () => {
    const base = setup!.gw.url!.replace('127.0.0.1', 'localhost');
    const runs = await Promise.all(GATEWAY_MRTR.map((scenario, i) => runServerScenarios(`${base}/mcp/clients/mrtr${i}`, { cli: CONFORMANCE_NEXT_CLI, scenario })));
    const all = new Map(runs.flatMap((r) => [...r]));
    expect(GATEWAY_MRTR.filter((name) => !passes(all.get(name))), summary(all)).toEqual([]);
  }, 120_000);
});
