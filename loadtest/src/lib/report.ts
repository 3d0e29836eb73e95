// From raw phase results to table rows: medians over rounds, latency added over the
// mock at the same rate, and the results files.
import { writeFileSync } from 'node:fs';
import type { PhaseResult, ProcMemory } from './measure.js';
import type { Note, Row, SaturationRow } from './table.js';

export interface RoundResult {
  phases: PhaseResult[];
  memory: ProcMemory[];
}

export interface TargetResult {
  id: string;
  label: string;
  /** 'ok', 'skipped (not built: …)', 'failed: …' */
  status: string;
  rounds: RoundResult[];
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

const defined = (v: number | undefined): v is number => v !== undefined;
const medianOrUndef = (vs: (number | undefined)[]): number | undefined => {
  const d = vs.filter(defined);
  return d.length > 0 ? median(d) : undefined;
};
const sum = (vs: number[]): number => vs.reduce((a, b) => a + b, 0);

export const phaseKey = (p: { kind: string; rate?: number }): string =>
  p.kind === 'saturation' ? 'saturation' : p.kind === 'sustain' ? `${p.rate} sustain` : String(p.rate);

/** A phase's medians: a saturation row without its target. */
type Summary = Omit<SaturationRow, 'target'>;

/** Per phase key: medians over rounds (errors are summed). */
function summarize(t: TargetResult): Map<string, Summary> {
  const byKey = new Map<string, PhaseResult[]>();
  for (const round of t.rounds) {
    for (const p of round.phases) byKey.set(phaseKey(p), [...(byKey.get(phaseKey(p)) ?? []), p]);
  }
  const out = new Map<string, Summary>();
  for (const [key, ps] of byKey) {
    out.set(key, {
      rps: median(ps.map((p) => p.loadgen.rps)),
      p50Us: medianOrUndef(ps.map((p) => (p.loadgen.requests > 0 ? p.loadgen.latency_us.p50 : undefined))),
      p99Us: medianOrUndef(ps.map((p) => (p.loadgen.requests > 0 ? p.loadgen.latency_us.p99 : undefined))),
      cpuUsPerReq: medianOrUndef(ps.map((p) => p.cpuUsPerReq)),
      errors: sum(ps.map((p) => p.loadgen.errors)),
      non2xx: sum(ps.map((p) => p.loadgen.non2xx)),
      bgCores: median(ps.map((p) => p.bgCores)),
    });
  }
  return out;
}

function memoryMb(t: TargetResult): { rssMb?: number; peakMb?: number } {
  const rounds = t.rounds.filter((r) => r.memory.length > 0);
  if (rounds.length === 0) return {};
  return {
    rssMb: median(rounds.map((r) => sum(r.memory.map((m) => m.rssKb)) / 1024)),
    peakMb: median(rounds.map((r) => sum(r.memory.map((m) => m.hwmKb)) / 1024)),
  };
}

export interface Report {
  rows: Row[];
  saturation: SaturationRow[];
  notes: Note[];
}

export function buildReport(results: TargetResult[], baselineId: string): Report {
  const baseline = results.find((r) => r.id === baselineId);
  const base = baseline ? summarize(baseline) : new Map<string, Summary>();
  const report: Report = { rows: [], saturation: [], notes: [] };
  for (const t of results) {
    if (t.status !== 'ok') report.notes.push({ target: t.label, status: t.status });
    if (t.rounds.every((r) => r.phases.length === 0)) continue;
    const mem = memoryMb(t);
    for (const [key, s] of summarize(t)) {
      if (key === 'saturation') {
        report.saturation.push({ target: t.label, ...s });
        continue;
      }
      const b = t.id === baselineId ? undefined : base.get(key);
      const added = (x: number | undefined, y: number | undefined): number | undefined =>
        x === undefined || y === undefined ? undefined : x - y;
      report.rows.push({
        target: t.label,
        phase: key,
        ...s,
        addedP50Us: added(s.p50Us, b?.p50Us),
        addedP99Us: added(s.p99Us, b?.p99Us),
        ...mem,
      });
    }
  }
  return report;
}

export function writeResults(basePath: string, markdown: string, json: unknown): void {
  writeFileSync(`${basePath}.md`, markdown);
  writeFileSync(`${basePath}.json`, `${JSON.stringify(json, null, 2)}\n`);
}
