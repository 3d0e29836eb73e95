// Result rows, and the same table as aligned text (terminal) and markdown (results file).

export interface Row {
  target: string;
  /** '1000', '2500', '5000 sustain' */
  phase: string;
  rps: number;
  p50Us?: number;
  p99Us?: number;
  addedP50Us?: number;
  addedP99Us?: number;
  cpuUsPerReq?: number;
  errors: number;
  non2xx: number;
  /** cores busy with other work on the machine during the window */
  bgCores: number;
  rssMb?: number;
  peakMb?: number;
}

export interface SaturationRow {
  target: string;
  rps: number;
  p50Us?: number;
  p99Us?: number;
  cpuUsPerReq?: number;
  errors: number;
  non2xx: number;
  bgCores: number;
}

export interface Note {
  target: string;
  status: string;
}

const ms = (us: number | undefined): string => (us === undefined ? '—' : (us / 1000).toFixed(2));
const signedMs = (us: number | undefined): string =>
  us === undefined ? '—' : `${us >= 0 ? '+' : ''}${(us / 1000).toFixed(2)}`;
const int = (n: number | undefined): string => (n === undefined ? '—' : Math.round(n).toLocaleString('en-US'));
const fixed = (n: number | undefined, digits: number): string => (n === undefined ? '—' : n.toFixed(digits));
const errs = (errors: number, non2xx: number): string => (non2xx > 0 ? `${errors} (+${non2xx} non-2xx)` : String(errors));

const MAIN_HEAD = [
  'target', 'rate', 'rps', 'p50 ms', 'p99 ms', 'added p50', 'added p99', 'CPU µs/req', 'errors', 'RSS MB', 'peak MB', 'bg cores',
];
const SAT_HEAD = ['target', 'saturation rps', 'p50 ms', 'p99 ms', 'CPU µs/req', 'errors', 'bg cores'];

function mainCells(r: Row): string[] {
  return [
    r.target, r.phase, int(r.rps), ms(r.p50Us), ms(r.p99Us), signedMs(r.addedP50Us), signedMs(r.addedP99Us),
    fixed(r.cpuUsPerReq, 0), errs(r.errors, r.non2xx), fixed(r.rssMb, 0), fixed(r.peakMb, 0), fixed(r.bgCores, 2),
  ];
}

function satCells(r: SaturationRow): string[] {
  return [r.target, int(r.rps), ms(r.p50Us), ms(r.p99Us), fixed(r.cpuUsPerReq, 0), errs(r.errors, r.non2xx), fixed(r.bgCores, 2)];
}

function textTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function markdownTable(head: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  const align = head.map((_, i) => (i === 0 ? '---' : '---:'));
  return [line(head), line(align), ...rows.map(line)].join('\n');
}

const LEGEND = [
  'added = target minus the mock at the same rate; CPU = the target\'s processes only; bg cores = other load on the machine.',
  'rps below the rate means overload: that row\'s latency and CPU per request describe a backlog.',
];

export function renderText(rows: Row[], sat: SaturationRow[], notes: Note[], legend: readonly string[] = LEGEND): string {
  const parts = [textTable(MAIN_HEAD, rows.map(mainCells)), legend.join('\n')];
  if (sat.length > 0) parts.push(textTable(SAT_HEAD, sat.map(satCells)));
  if (notes.length > 0) parts.push(notes.map((n) => `${n.target}: ${n.status}`).join('\n'));
  return parts.join('\n\n');
}

export function renderMarkdown(rows: Row[], sat: SaturationRow[], notes: Note[], legend: readonly string[] = LEGEND): string {
  const parts = [markdownTable(MAIN_HEAD, rows.map(mainCells)), legend.join('\n')];
  if (sat.length > 0) parts.push(`Saturation (closed loop):\n\n${markdownTable(SAT_HEAD, sat.map(satCells))}`);
  if (notes.length > 0) parts.push(notes.map((n) => `- ${n.target}: ${n.status}`).join('\n'));
  return parts.join('\n\n');
}
